FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir -e . && DJANGO_DEBUG=1 python manage.py collectstatic --noinput -v0
ENV WUHAI_VAR_DIR=/var/lib/wuhai
EXPOSE 8000
CMD ["gunicorn", "wuhai_coverage.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]
