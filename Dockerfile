# hikeshi in a container. Not built on the project's own machines (they run
# no Docker engine); see the README.
FROM rust:1.85-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY src src
COPY migrations migrations
COPY assets assets
# Cargo.toml names the benchmark; its file must exist to read the manifest.
COPY benches benches
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/hikeshi --create-home hikeshi
COPY --from=build /src/target/release/hikeshi /usr/local/bin/hikeshi
COPY config /etc/hikeshi
USER hikeshi
WORKDIR /var/lib/hikeshi
ENV HIKESHI_CONFIG=/etc/hikeshi/hikeshi.toml \
    DATABASE_URL=sqlite:///var/lib/hikeshi/hikeshi.db?mode=rwc
VOLUME /var/lib/hikeshi
# DISCORD_TOKEN comes from the runtime environment (docker run -e / secrets).
ENTRYPOINT ["/usr/local/bin/hikeshi"]
CMD ["run"]
