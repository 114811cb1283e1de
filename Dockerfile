# One image for every process of the Procfile; pick one with the command:
#   docker run IMAGE web | worker | beat
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BIND_ADDRESS=0.0.0.0 \
    PORT=8000 \
    STATIC_ROOT=/app/static-root \
    MEDIA_ROOT=/data/media

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings, not services: a throwaway key is enough here.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput -v 0 \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /data/media /app/.data && chown -R app /data /app
USER app
# web on 8000, stream (the streaming server) on 8001
EXPOSE 8000 8001
ENTRYPOINT ["honcho", "start", "--no-prefix", "-f", "Procfile"]
CMD ["web"]
