# Web assets (Leaflet and plugins) from the npm registry, served by the app: no CDN at run time.
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund  # the base map's source data set (dev) is built into data/basemap/

FROM python:3.11-slim-bookworm
# Pango and DejaVu Sans for the PDF sheets (WeasyPrint; DejaVu carries the Vietnamese glyphs).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY gis gis
COPY api api
COPY layers layers
COPY maps maps
COPY data data
COPY --from=web /web/node_modules node_modules
RUN pip install --no-cache-dir -e .
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
CMD ["sh", "-c", "zoneatlas db upgrade && zoneatlas demo load && zoneatlas serve"]
