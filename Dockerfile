# The app image: gunicorn only. nginx stands in front of it (docker-compose.yml,
# deploy/nginx.conf.template) and is the only thing clients reach.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home app && chown -R app /app
USER app
ENV GUNICORN_BIND=0.0.0.0:8000 DJANGO_BEHIND_PROXY=1
EXPOSE 8000
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "omnitron.wsgi:application"]
