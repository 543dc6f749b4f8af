# The app image: the app under granian only (deploy/app_server.sh). nginx stands in front of it (docker-compose.yml,
# deploy/nginx.conf.template) and is the only thing clients reach.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home app && chown -R app /app
USER app
ENV GRANIAN_HOST=0.0.0.0 GRANIAN_PORT=8000 DJANGO_BEHIND_PROXY=1
EXPOSE 8000
CMD ["sh", "deploy/app_server.sh"]
