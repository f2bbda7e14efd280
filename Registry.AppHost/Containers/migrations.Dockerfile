# The migration service's image: applies the schema (and the bootstrap tenant when Registry__BootstrapToken is set),
# then exits 0; non-zero on failure. Run it to completion before starting or upgrading API replicas.
#   docker build -f Registry.AppHost/Containers/migrations.Dockerfile -t registry-migrations .     (from the repository root)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN find . -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} + \
 && dotnet publish Registry.MigrationService/Registry.MigrationService.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
USER $APP_UID
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT ["dotnet", "Registry.MigrationService.dll"]
