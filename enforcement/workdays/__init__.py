"""The working-day calendar: public holidays and make-up workdays (调休上班) that city
managers maintain, and the arithmetic every deadline uses (services.py writes,
selectors.py reads)."""
