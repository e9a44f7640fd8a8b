FROM python:3.11-slim-bookworm
WORKDIR /app
COPY pyproject.toml README.md ./
COPY gis gis
COPY api api
COPY layers layers
COPY maps maps
COPY data data
RUN pip install --no-cache-dir -e .
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
CMD ["sh", "-c", "zoneatlas db upgrade && zoneatlas demo load && zoneatlas serve"]
