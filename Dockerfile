# syntax=docker/dockerfile:1
# The API image: compiled in one stage, run from a slim stage as the unprivileged `node` user.
# Migrations run from the same image (docker-compose.yml, service `migrate`). The base image is
# the current Node.js LTS, pinned to a release; bump it deliberately.
ARG NODE_VERSION=26.12.1

FROM node:${NODE_VERSION}-trixie-slim AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npx nest build

FROM node:${NODE_VERSION}-trixie-slim AS dependencies
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
# Optional dependencies are the embedded PostgreSQL binaries (60 MB), which production never
# runs: it requires DATABASE_URL.
RUN npm ci --omit=dev --omit=optional && npm cache clean --force

FROM node:${NODE_VERSION}-trixie-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY --from=dependencies --chown=root:root /app/node_modules ./node_modules
# The API, its migrations and the seed script; not the bench or the test support compiled beside them.
COPY --from=build --chown=root:root /app/dist/src ./dist/src
COPY --from=build --chown=root:root /app/dist/migrations ./dist/migrations
COPY --from=build --chown=root:root /app/dist/seeds ./dist/seeds
COPY package.json ./
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
