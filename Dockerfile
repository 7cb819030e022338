# The Host image: one silo + HTTP. Configure it with environment variables (see README).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props Accounts.Orleans.sln ./
COPY src/ src/
RUN dotnet publish src/Host/Accounts.Orleans.Host.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    Accounts__Storage__DataDirectory=/data
# Named volumes take these folders' ownership on first mount, so the app user can write its data and key ring.
RUN mkdir -p /data /keys /ca /certs && chown app /data /keys /ca /certs
VOLUME /data
EXPOSE 8080 11111 30000
USER app
ENTRYPOINT ["dotnet", "Accounts.Orleans.Host.dll"]
