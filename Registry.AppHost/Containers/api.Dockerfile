# The API's image: what `azd up` and the Aspire manifest build, and what plain-container deployments run.
#   docker build -f Registry.AppHost/Containers/api.Dockerfile -t registry-api .     (from the repository root)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# Whatever a developer's machine built must not leak into the image (the .dockerignore beside this file keeps it out
# of the context where the builder honours one).
RUN find . -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} + \
 && dotnet publish Registry.Api/Registry.Api.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# The artifact volume's mount point belongs to the non-root user, so a fresh named volume mounted here is writable.
RUN mkdir -p /var/lib/registry/artifacts && chown $APP_UID:$APP_UID /var/lib/registry/artifacts
USER $APP_UID
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Registry__Artifacts__Root=/var/lib/registry/artifacts
EXPOSE 8080
VOLUME /var/lib/registry/artifacts
ENTRYPOINT ["dotnet", "Registry.Api.dll"]
