# syntax=docker/dockerfile:1
# Gatehouse: build with dev dependencies, run with production dependencies only, as a non-root user, on Node 24
# (the newest LTS line the project supports; see "Supported Node.js versions" in the README).

# Install scripts: package.json's allowScripts is only advice to the npm 11 inside node:24 (npm prints the scripts it
# has not reviewed but runs them; npm 12 is the first to enforce the list), so both stages install with
# --ignore-scripts and no dependency runs code at install time. Nothing here needs one: the build stage only compiles
# (the embedded Postgres binaries, whose scripts set them up, are for development), and of the production
# dependencies only @scarf/scarf (install analytics, denied in allowScripts) has a script.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig*.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only (no embedded Postgres: production needs DATABASE_URL), no install scripts (above).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Production needs DATABASE_URL, PUBLIC_URL and the provider's settings (README "Running in a container",
# .env.example); secrets come from the orchestrator's secret store, never from the image. Migrations run at start-up;
# `node dist/cli.js migration:run` (and `migration:revert`) run them as a separate step (see compose.yaml).
CMD ["node", "dist/main.js"]
