# syntax=docker/dockerfile:1
# Build:  docker build -t halb .
# Run:    docker run --rm --network host -v "$PWD/my-halb.yaml:/etc/halb/halb.yaml:ro" halb
# The image holds no configuration: mount yours at /etc/halb/halb.yaml (without one, halb exits 2
# saying the file is missing). The admin API listens on $HALB_ADMIN_BIND (0.0.0.0:9990 here) in
# any configuration whose admin.bind is ${HALB_ADMIN_BIND:-...}, as config/halb.yaml's is.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# Maven's repository lives in a build cache mount: downloads are kept from one build to the next
# whatever changed, and none of it lands in a layer.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests -pl lb-core -am package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 halb \
 && useradd --system --uid 10001 --gid halb --home-dir /nonexistent --shell /usr/sbin/nologin halb \
 && mkdir -p /etc/halb /opt/halb
COPY --from=build /src/lb-core/target/halb.jar /opt/halb/halb.jar
USER halb:halb
# In a container the admin API must listen beyond loopback for health checks to reach it.
ENV HALB_ADMIN_BIND=0.0.0.0:9990
# 8080: the default VIP; 9990: the admin API (/health, /ready, /metrics).
EXPOSE 8080 9990
# The same JVM settings as bin/halb (README, "Memory"); size -Xmx with the connections you expect.
ENV HALB_JAVA_OPTS="-XX:+UseSerialGC -Xms16m -Xmx96m -XX:MaxDirectMemorySize=64m -XX:ReservedCodeCacheSize=32m -Xss256k -XX:FreqInlineSize=120 -XX:CompileCommand=quiet -XX:CompileCommand=dontinline,dev.halb.core.proxy.RelayHandler::closePeer -XX:+UnlockExperimentalVMOptions -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError" \
    MALLOC_ARENA_MAX=2
# SIGTERM from `docker stop` drains: give it --time longer than drain.delayMs + drain.timeoutMs.
STOPSIGNAL SIGTERM
ENTRYPOINT ["sh", "-c", "exec java $HALB_JAVA_OPTS -jar /opt/halb/halb.jar \"$@\"", "halb"]
CMD ["run", "--config", "/etc/halb/halb.yaml"]
