# One image for every app (api, scheduler, delivery, cli): the command picks the app, so the three
# deployments always run the same build and migrations never see two versions of the code.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY tools tools
COPY bench bench
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules node_modules
COPY --from=build --chown=root:root /app/dist dist
COPY package.json ./
# The image's own unprivileged user; the code is root's and read-only to it.
USER node
EXPOSE 8000 8001 8002
CMD ["node", "dist/apps/api/src/main.js"]
