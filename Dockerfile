# Gateway container image: build with the SDK, run on the ASP.NET runtime image as a non-root user.
#   docker build -t gateway .
#   docker run --rm -p 8080:8080 -p 127.0.0.1:8081:8081 -e Gateway__Admin__ApiKeys__0=... gateway
# config/appsettings.json is baked in at /app/config; mount your own over it (-v "$PWD/config:/app/config:ro").

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so the package layer is cached across source changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY gateway/Gateway.csproj gateway/
RUN dotnet restore gateway/Gateway.csproj
COPY gateway/ gateway/
RUN dotnet publish gateway/Gateway.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY config/appsettings.json config/
# Public listener on 8080, admin listener (admin API, /metrics, /healthz, /readyz) on 8081. Inside a container both
# bind every interface; publish 8081 only where operators and Prometheus can reach it.
ENV GATEWAY_CONFIG=/app/config/appsettings.json \
    Urls=http://0.0.0.0:8080 \
    Gateway__Admin__Urls=http://0.0.0.0:8081 \
    Gateway__Logging__Format=json \
    DOTNET_NOLOGO=1
EXPOSE 8080 8081
# With no Redis configured, the embedded store keeps its journal in /app/data (Gateway:Embedded:Path, relative to
# /app): writable by the app user; mount a volume there (-v gateway-data:/app/data) to keep it across containers.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
# The image's built-in unprivileged user (uid 1654).
USER $APP_UID
# The aspnet image has no curl: the gateway probes its own /healthz (workstation GC keeps the probe process small).
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD DOTNET_gcServer=0 dotnet /app/Gateway.dll healthcheck || exit 1
ENTRYPOINT ["dotnet", "/app/Gateway.dll"]
