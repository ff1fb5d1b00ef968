# Tracehouse in one process (`npm start`), for docker-compose.yml. Kafka and ClickHouse come from the
# environment (KAFKA_BROKERS, CLICKHOUSE_URL), so no local services are started inside the image.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY dashboard/package.json dashboard/
COPY services/ingest/package.json services/ingest/
COPY services/api/package.json services/api/
COPY services/server/package.json services/server/
COPY services/writer/package.json services/writer/
COPY services/alerter/package.json services/alerter/
COPY tools/local-services/package.json tools/local-services/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY . .
# The dashboard's static assets, served at / by ingest.
RUN npm run build -w dashboard
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
EXPOSE 8080
CMD ["npm", "start"]
