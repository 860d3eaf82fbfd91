# syntax=docker/dockerfile:1
# UserService container image.
#   docker build -t userservice .
#   docker compose up --build        (PostgreSQL + the service; settings from .env, see .env.example)
# CI cannot run a Docker engine: checks/deploy/publish.sh replays this build stage's COPY and RUN lines.

# --- build ---------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source

# Restore from only the files restore reads, so this layer stays cached until a package changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/UserService.csproj src/
RUN dotnet restore src/UserService.csproj

COPY src/ src/
RUN dotnet publish src/UserService.csproj --no-restore -c Release -o /app -p:UseAppHost=false

# --- runtime -------------------------------------------------------------------------------------
# Alpine: the smallest ASP.NET Core runtime image that still has a probe tool (busybox wget) for
# HEALTHCHECK; the runtime images have no curl. The service needs ICU (the canonical form of an email
# is NFKC and IDNA, which invariant globalization does not do): Alpine images ship without it and with
# invariant mode on, so add it and turn invariant mode off.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-alpine AS runtime
RUN apk add --no-cache icu-libs
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false
WORKDIR /app
COPY --from=build /app ./

# The non-root "app" user (UID 1654) that every .NET image ships.
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ASPNETCORE_ENVIRONMENT=Production
EXPOSE 8080

# /health/live answers as soon as the process serves HTTP, which is after the startup hook has connected,
# migrated and warmed the pool (up to Database__StartupDeadline, 30 s by default).
HEALTHCHECK --interval=10s --timeout=3s --start-period=45s --retries=3 \
    CMD wget -q -O /dev/null http://127.0.0.1:8080/health/live || exit 1

ENTRYPOINT ["dotnet", "UserService.dll"]
