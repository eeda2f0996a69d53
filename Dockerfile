# syntax=docker/dockerfile:1
# Build:  docker build -t halb .
# Run:    docker run --rm --network host -v $PWD/config/halb.yaml:/etc/halb/halb.yaml:ro halb

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Poms first, so dependency downloads are cached while the sources change.
COPY pom.xml ./
COPY lb-discovery/pom.xml lb-discovery/
COPY lb-core/pom.xml lb-core/
COPY lb-bench/pom.xml lb-bench/
RUN mvn -B -q -pl lb-discovery,lb-core -am dependency:resolve || true
COPY . .
RUN mvn -B -q -DskipTests -pl lb-core -am package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 halb \
 && useradd --system --uid 10001 --gid halb --home-dir /nonexistent --shell /usr/sbin/nologin halb \
 && mkdir -p /etc/halb /opt/halb
COPY --from=build /src/lb-core/target/halb.jar /opt/halb/halb.jar
COPY config/halb.yaml /etc/halb/halb.yaml
# In a container the admin API must listen beyond loopback for health checks to reach it.
RUN sed -i 's|^  bind: 127.0.0.1:9990|  bind: 0.0.0.0:9990|' /etc/halb/halb.yaml
USER halb:halb
# 8080: the default VIP; 9990: the admin API (/health, /ready, /metrics).
EXPOSE 8080 9990
# The same JVM settings as bin/halb (README, "Memory"); size -Xmx with the connections you expect.
ENV HALB_JAVA_OPTS="-XX:+UseSerialGC -Xms16m -Xmx96m -XX:MaxDirectMemorySize=64m -XX:ReservedCodeCacheSize=32m -Xss256k -XX:+UnlockExperimentalVMOptions -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=5000 -XX:+ExitOnOutOfMemoryError" \
    MALLOC_ARENA_MAX=2
# SIGTERM from `docker stop` drains (DESIGN section 7); give it drain.delayMs + drain.timeoutMs.
STOPSIGNAL SIGTERM
ENTRYPOINT ["sh", "-c", "exec java $HALB_JAVA_OPTS -jar /opt/halb/halb.jar \"$@\"", "halb"]
CMD ["run", "--config", "/etc/halb/halb.yaml"]
