"""Employer disclosure (参保信息公开): commitment letters and union confirmations uploaded by
district caseworkers, the public yearly headcount table at /disclosure/ and an employer's
own row as a PDF certificate."""
