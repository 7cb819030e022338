using System.Text.RegularExpressions;
using Accounts.Orleans.Contracts.Text;

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>The rules every app definition obeys, whether it ships with the service or an operator adds it.</summary>
public static partial class AppDefinitionRules
{
    public const int MaxNameLength = 100;
    public const int MaxDescriptionLength = 1000;
    public const int MaxUrlLength = 2048;
    public const int MaxScopes = 200;
    public const int MaxFields = 20;

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex FieldNamePattern();

    /// <summary>Problems with one definition, keyed by the JSON path of the offending value.</summary>
    public static IReadOnlyDictionary<string, string[]> Validate(AppDefinition app, bool allowLoopbackHttp = false)
    {
        var errors = new ErrorList();
        if (!AppSlug.IsValid(app.Slug)) errors.Add("slug", AppSlug.Rule);
        Text(errors, "name", app.Name, MaxNameLength, required: true);
        Text(errors, "description", app.Description, MaxDescriptionLength, required: false);
        Url(errors, "docsUrl", app.DocsUrl, required: true, allowLoopbackHttp);
        Url(errors, "websiteUrl", app.WebsiteUrl, required: false, allowLoopbackHttp);

        if (app.Categories.Count == 0) errors.Add("categories", "needs at least one category");
        foreach (var category in app.Categories.Where(c => !AppCategories.Known.Contains(c)))
            errors.Add("categories", $"'{Clip(category)}' is not a known category");
        foreach (var alias in app.Aliases.Where(a => !AppSlug.IsValid(a) || a == app.Slug))
            errors.Add("aliases", $"'{Clip(alias)}' is not a valid alias");

        switch (app.AuthType)
        {
            case AuthType.OAuth2:
                ValidateOAuth(errors, app, allowLoopbackHttp);
                break;
            case AuthType.Keys:
                ValidateKeys(errors, app, allowLoopbackHttp);
                break;
            case AuthType.ClientCredentials or AuthType.JwtBearer:
                ValidateOwnTokens(errors, app, allowLoopbackHttp);
                break;
            case AuthType.OAuth1:
                ValidateOAuth1(errors, app, allowLoopbackHttp);
                break;
            default:
                errors.Add("authType", "must be oauth2, keys, client_credentials, jwt_bearer or oauth1");
                break;
        }
        ValidateSettings(errors, app, allowLoopbackHttp);
        if (app.Api is { } api) ValidateApi(errors, app, api, allowLoopbackHttp);
        return errors.ToDictionary();
    }

    public const int MaxSettings = 10;
    public const int MaxHosts = 20;

    /// <summary>
    /// Connection settings and the hosts they may lead to: names that cannot be mistaken for a field, a capture or the
    /// access token; a default and choices each setting itself accepts; hosts that are DNS names of two labels or more.
    /// </summary>
    private static void ValidateSettings(ErrorList errors, AppDefinition app, bool allowLoopbackHttp)
    {
        if (app.Settings.Count > MaxSettings) errors.Add("settings", $"has more than {MaxSettings} settings");
        var taken = app.Fields.Select(f => f.Name).Concat(Captures(app)).Append("access_token").ToHashSet(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < app.Settings.Count; i++)
        {
            var setting = app.Settings[i];
            var at = $"settings[{i}]";
            if (setting.Name is null || !FieldNamePattern().IsMatch(setting.Name)) errors.Add($"{at}.name", "must be a snake_case identifier");
            else if (!names.Add(setting.Name) || taken.Contains(setting.Name)) errors.Add($"{at}.name", $"'{setting.Name}' is already the name of a setting, field, capture or the access token");
            Text(errors, $"{at}.label", setting.Label, MaxNameLength, required: true);
            Text(errors, $"{at}.helpText", setting.HelpText, MaxDescriptionLength, required: false);
            if (setting.Pattern is { } pattern && !CompilesAnchored(pattern))
                errors.Add($"{at}.pattern", "must be a valid regular expression anchored with ^ and $");
            if (setting.Choices.Count > 50 || setting.Choices.Any(c => string.IsNullOrEmpty(c) || c.Length > ConnectionSetting.MaxLength || PrintableText.HasHiddenCharacters(c)))
                errors.Add($"{at}.choices", "at most 50 choices, each one clean line");
            if (setting.Default is { } fallback && setting.Check(fallback) is not null) errors.Add($"{at}.default", "is not a value the setting accepts");
        }
        if (app.Hosts.Count > MaxHosts) errors.Add("hosts", $"has more than {MaxHosts} hosts");
        foreach (var host in app.Hosts.Where(h => !IsAllowedHost(h, allowLoopbackHttp)))
            errors.Add("hosts", $"'{Clip(host)}' is not a lower-case DNS name of two labels or more");
        if (app.OAuth?.TokenResponse?.Captures is { } captures)
        {
            foreach (var (name, path) in captures)
            {
                if (!FieldNamePattern().IsMatch(name)) errors.Add("oauth.tokenResponse.captures", $"'{Clip(name)}' is not a snake_case name");
                if (string.IsNullOrWhiteSpace(path) || path.Length > 256 || path.Any(char.IsWhiteSpace)) errors.Add("oauth.tokenResponse.captures", $"the path of '{Clip(name)}' must be a dotted path");
            }
        }
    }

    private static IEnumerable<string> Captures(AppDefinition app) => app.OAuth?.TokenResponse?.Captures.Keys ?? [];

    private static bool IsAllowedHost(string host, bool allowLoopbackHttp)
        => host is { Length: > 0 and <= 253 } && !host.Any(char.IsAsciiLetterUpper)
           && (allowLoopbackHttp && host is "127.0.0.1" or "localhost"
               || (host.Contains('.', StringComparison.Ordinal) && Uri.CheckHostName(host) == UriHostNameType.Dns));

    /// <summary>
    /// A URL template: https once filled, its placeholders naming values it may take (<paramref name="known"/>), and a
    /// host that a value fills allowed somewhere to go: the app's hosts, or the template's own literal tail.
    /// </summary>
    private static void TemplateUrl(ErrorList errors, string key, string? template, bool required, bool allowLoopbackHttp, AppDefinition app, IEnumerable<string> known)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            if (required) errors.Add(key, "is required");
            return;
        }
        var names = known.ToHashSet(StringComparer.Ordinal);
        foreach (var name in TestRequestTemplate.Placeholders(template).SelectMany(TestRequestTemplate.FieldsOf).Where(n => !names.Contains(n)).Distinct(StringComparer.Ordinal))
            errors.Add(key, $"placeholder '{{{{{Clip(name)}}}}}' names no value this URL can take");
        // A template that starts with a placeholder takes a whole origin from it; elsewhere "1" stands in, valid as a host label.
        var standIn = template.StartsWith("{{", StringComparison.Ordinal) && template.IndexOf("}}", StringComparison.Ordinal) is > 0 and var end
            ? "https://origin.example" + TestRequestTemplate.WithStandIn(template[(end + 2)..], "1")
            : TestRequestTemplate.WithStandIn(template, "1");
        Url(errors, key, standIn, required, allowLoopbackHttp);
        // A key app whose person types a whole host (a self-hosted server) is held to the outbound address policy instead.
        if (app.AuthType != AuthType.Keys && ConnectionUrls.HostVaries(template) && app.Hosts.Count == 0 && ConnectionUrls.ImpliedHost(template) is null)
            errors.Add(key, "a value fills its host, so the app must name the hosts it may reach (hosts), or the host must end in a literal domain");
    }

    /// <summary>
    /// The API the proxy calls: an https base URL with no query or fragment, header names that are HTTP tokens, and
    /// templates that name the app's fields (or, for OAuth, the access token). A key app's calls must carry a field.
    /// </summary>
    private static void ValidateApi(ErrorList errors, AppDefinition app, ApiSettings api, bool allowLoopbackHttp)
    {
        TemplateUrl(errors, "api.baseUrl", api.BaseUrl, required: true, allowLoopbackHttp, app,
            app.Fields.Select(f => f.Name).Concat(app.Settings.Select(s => s.Name)).Concat(Captures(app)));
        if (api.BaseUrl is { } baseUrl && (baseUrl.Contains('?', StringComparison.Ordinal) || baseUrl.Contains('#', StringComparison.Ordinal)))
            errors.Add("api.baseUrl", "must have no query or fragment");
        foreach (var name in api.Headers.Keys.Where(n => n.Length is 0 or > 100 || !n.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))))
            errors.Add("api.headers", $"'{Clip(name)}' is not a header name");
        foreach (var name in api.Query.Keys.Where(n => n.Length is 0 or > 100 || n.Any(char.IsControl)))
            errors.Add("api.query", $"'{Clip(name)}' is not a query parameter name");
        var known = app.Fields.Select(f => f.Name).Concat(app.Settings.Select(s => s.Name)).Concat(Captures(app)).ToHashSet(StringComparer.Ordinal);
        if (app.AuthType.IssuesTokens()) known.Add("access_token");
        if (api.BaseUrl?.Contains("{{access_token}}", StringComparison.Ordinal) == true) errors.Add("api.baseUrl", "may not carry the access token: it is shown and logged as an address");
        var templates = api.Headers.Values.Concat(api.Query.Values).Append(api.BaseUrl ?? "").ToList();
        var named = templates.SelectMany(TestRequestTemplate.Placeholders).SelectMany(TestRequestTemplate.FieldsOf).ToList();
        foreach (var name in named.Where(n => !known.Contains(n)).Distinct(StringComparer.Ordinal))
            errors.Add("api", $"placeholder '{{{{{Clip(name)}}}}}' names no field of this app");
        if (app.AuthType == AuthType.Keys && !app.Fields.Any(f => f.Secret && named.Contains(f.Name)))
            errors.Add("api", "no header, query parameter or base URL carries a secret field: calls would go without credentials");
        foreach (var template in templates.Where(t => t.Any(c => char.IsControl(c))))
            errors.Add("api", "templates must be single lines");
    }

    private static void ValidateOAuth(ErrorList errors, AppDefinition app, bool allowLoopbackHttp)
    {
        if (app.OAuth is not { } oauth)
        {
            errors.Add("oauth", "is required for an oauth2 app");
            return;
        }
        if (app.TestRequest is not null) errors.Add("testRequest", "is only for key-based apps");
        if (oauth.Assertion is not null) errors.Add("oauth.assertion", "is only for jwt_bearer apps");
        if (oauth.RequestTokenUrl is not null) errors.Add("oauth.requestTokenUrl", "is only for oauth1 apps");
        TokenCall(errors, "oauth.exchange", oauth.Exchange, allowLoopbackHttp);
        TokenCall(errors, "oauth.renewal", oauth.Renewal, allowLoopbackHttp);
        // Consent and code exchange come before anything is captured: only settings fill them.
        var settings = app.Settings.Select(s => s.Name).ToList();
        TemplateUrl(errors, "oauth.authorizeUrl", oauth.AuthorizeUrl, required: true, allowLoopbackHttp, app, settings);
        TemplateUrl(errors, "oauth.tokenUrl", oauth.TokenUrl, required: true, allowLoopbackHttp, app, settings);
        TemplateUrl(errors, "oauth.refreshUrl", oauth.RefreshUrl, required: false, allowLoopbackHttp, app, settings.Concat(Captures(app)));
        TemplateUrl(errors, "oauth.revokeUrl", oauth.RevokeUrl, required: false, allowLoopbackHttp, app, settings.Concat(Captures(app)));
        Text(errors, "oauth.issuer", oauth.Issuer, MaxUrlLength, required: false);
        if (oauth.ScopeSeparator is not (" " or "," or "+"))
            errors.Add("oauth.scopeSeparator", "must be a space, a comma or a plus sign");
        if (oauth.DefaultScopes.Count > MaxScopes) errors.Add("oauth.defaultScopes", $"has more than {MaxScopes} scopes");
        if (oauth.DefaultScopes.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains(oauth.ScopeSeparator, StringComparison.Ordinal) || s.Length > 512))
            errors.Add("oauth.defaultScopes", "has an empty scope, an over-long one or one that contains the separator");
        if (oauth.AuthorizeParameters.Keys.Any(IsReservedAuthorizeParameter))
            errors.Add("oauth.authorizeParameters", "may not set a parameter the service controls (client_id, redirect_uri, state, scope, response_type, response_mode, request_uri, code_challenge…), in any case");
        if (oauth.RefreshMarginSeconds is < 0 or > 86_400)
            errors.Add("oauth.refreshMarginSeconds", "must be between 0 and 86400");
        if (oauth.TokenResponse?.DefaultExpiresInSeconds is <= 0)
            errors.Add("oauth.tokenResponse.defaultExpiresInSeconds", "must be positive");
        foreach (var (key, path) in new[] { ("oauth.tokenResponse.expiresAtPath", oauth.TokenResponse?.ExpiresAtPath), ("oauth.tokenResponse.errorPath", oauth.TokenResponse?.ErrorPath) })
        {
            if (path is not null && (path.Length is 0 or > 256 || path.Any(char.IsWhiteSpace) || path.Split('.').Any(s => s.Length == 0)))
                errors.Add(key, "must be a dotted path");
        }
        if (!Enum.IsDefined(oauth.TokenRequestFormat)) errors.Add("oauth.tokenRequestFormat", "must be form or json");
        if (oauth.TokenParameters.Count > 20) errors.Add("oauth.tokenParameters", "has more than 20 parameters");
        if (oauth.TokenBudgetPerMinute is < 1 or > 100_000) errors.Add("oauth.tokenBudgetPerMinute", "must be between 1 and 100000");
        foreach (var (name, value) in oauth.TokenParameters)
        {
            if (IsReservedTokenParameter(name) || name.Length is 0 or > 100 || PrintableText.HasHiddenCharacters(name))
                errors.Add("oauth.tokenParameters", $"'{Clip(name)}' is a parameter the service sets, or not a name");
            else if (value is null || value.Length > 1024 || PrintableText.HasHiddenCharacters(value))
                errors.Add("oauth.tokenParameters", $"the value of '{Clip(name)}' must be one clean line of at most 1024 characters");
        }
    }

    /// <summary>
    /// An OAuth 1.0a app: its three endpoints, filled by settings only, and nothing of OAuth 2.0's token options, which it
    /// has no use for (its tokens never expire, and its token calls are signed, not parameterized). What the access token
    /// answer says besides the token (Flickr's <c>user_nsid</c>) may name the identity or be captured.
    /// </summary>
    private static void ValidateOAuth1(ErrorList errors, AppDefinition app, bool allowLoopbackHttp)
    {
        if (app.OAuth is not { } oauth)
        {
            errors.Add("oauth", "is required for an oauth1 app");
            return;
        }
        if (app.TestRequest is not null) errors.Add("testRequest", "is only for key-based apps");
        if (app.Fields.Count > 0) errors.Add("fields", "an oauth1 app's accounts are connected by consent, not with fields");
        var settings = app.Settings.Select(s => s.Name).ToList();
        TemplateUrl(errors, "oauth.requestTokenUrl", oauth.RequestTokenUrl, required: true, allowLoopbackHttp, app, settings);
        TemplateUrl(errors, "oauth.authorizeUrl", oauth.AuthorizeUrl, required: true, allowLoopbackHttp, app, settings);
        TemplateUrl(errors, "oauth.tokenUrl", oauth.TokenUrl, required: true, allowLoopbackHttp, app, settings);
        if (oauth.AuthorizeParameters.Keys.Any(k => k.StartsWith("oauth_", StringComparison.OrdinalIgnoreCase)))
            errors.Add("oauth.authorizeParameters", "may not set an oauth_ parameter: the service sets oauth_token");
        var unused = new (string Key, bool Set)[]
        {
            ("oauth.refreshUrl", oauth.RefreshUrl is not null),
            ("oauth.revokeUrl", oauth.RevokeUrl is not null),
            ("oauth.issuer", oauth.Issuer is not null),
            ("oauth.defaultScopes", oauth.DefaultScopes.Count > 0),
            ("oauth.tokenRequestFormat", oauth.TokenRequestFormat != TokenRequestFormat.Form),
            ("oauth.tokenParameters", oauth.TokenParameters.Count > 0),
            ("oauth.tokenBudgetPerMinute", oauth.TokenBudgetPerMinute is not null),
            ("oauth.refreshMarginSeconds", oauth.RefreshMarginSeconds is not null),
            ("oauth.grantType", oauth.GrantType is not null),
            ("oauth.assertion", oauth.Assertion is not null),
            ("oauth.exchange", oauth.Exchange is not null),
            ("oauth.renewal", oauth.Renewal is not null),
            ("oauth.tokenResponse", oauth.TokenResponse is { } answer
                && ((answer.ExpiresAtPath ?? answer.ErrorPath ?? answer.AccessTokenPath ?? answer.RefreshTokenPath ?? answer.ScopePath) is not null
                    || answer.DefaultExpiresInSeconds is not null || answer.ExpiryFromJwt)),
        };
        foreach (var (key, _) in unused.Where(u => u.Set))
            errors.Add(key, "is not used by an oauth1 app (scopes go in authorizeParameters, as the app names them)");
    }

    /// <summary>
    /// An app whose accounts fetch their own tokens, with no consent (so no authorize URL) and no test request (fetching
    /// a token is the test). A client-credentials account holds its own client (a <c>client_id</c>, a secret
    /// <c>client_secret</c>, and whatever else its token request names); a JWT-bearer account holds a private key and
    /// the values its assertion names.
    /// </summary>
    private static void ValidateOwnTokens(ErrorList errors, AppDefinition app, bool allowLoopbackHttp)
    {
        var type = app.AuthType == AuthType.JwtBearer ? "jwt_bearer" : "client_credentials";
        if (app.OAuth is not { } oauth)
        {
            errors.Add("oauth", $"is required for a {type} app (its tokenUrl)");
            return;
        }
        if (app.TestRequest is not null) errors.Add("testRequest", $"fetching a token is the test of a {type} app");
        if (oauth.Exchange is not null || oauth.Renewal is not null) errors.Add("oauth", "exchange and renewal are only for oauth2 apps");
        if (!string.IsNullOrEmpty(oauth.AuthorizeUrl)) errors.Add("oauth.authorizeUrl", $"a {type} app has no consent: leave it empty");
        var open = app.Fields.Where(f => !f.Secret).Select(f => f.Name).Concat(app.Settings.Select(s => s.Name)).ToList();
        if (app.AuthType == AuthType.ClientCredentials)
        {
            if (app.Fields.FirstOrDefault(f => f.Name == "client_id") is not { Secret: false })
                errors.Add("fields", "needs a field client_id that is not secret");
            if (app.Fields.FirstOrDefault(f => f.Name == "client_secret") is not { Secret: true })
                errors.Add("fields", "needs a field client_secret that is secret");
            if (oauth.Assertion is not null) errors.Add("oauth.assertion", "is only for jwt_bearer apps");
        }
        else if (oauth.Assertion is not { } assertion) errors.Add("oauth.assertion", "is required for a jwt_bearer app");
        else ValidateAssertion(errors, app, assertion, open);
        TemplateUrl(errors, "oauth.tokenUrl", oauth.TokenUrl, required: true, allowLoopbackHttp, app, open);
        foreach (var (name, value) in oauth.TokenParameters)
        {
            if (IsReservedTokenParameter(name) || name.Length is 0 or > 100 || PrintableText.HasHiddenCharacters(name) || value is null || value.Length > 1024 || PrintableText.HasHiddenCharacters(value))
                errors.Add("oauth.tokenParameters", $"'{Clip(name)}' is a parameter the service sets, not a name, or its value is not one clean line");
            foreach (var field in TestRequestTemplate.Placeholders(value ?? "").Where(p => !open.Contains(p)))
                errors.Add("oauth.tokenParameters", $"'{Clip(name)}' names '{Clip(field)}', which is no field a token request may carry");
        }
        if (oauth.GrantType is { } grant && (grant.Length is 0 or > 100 || grant.Any(char.IsWhiteSpace) || PrintableText.HasHiddenCharacters(grant)))
            errors.Add("oauth.grantType", "must be a grant type name");
        if (oauth.ScopeSeparator is not (" " or "," or "+")) errors.Add("oauth.scopeSeparator", "must be a space, a comma or a plus sign");
        ValidateFieldList(errors, app);
    }

    /// <summary>
    /// A token call outside RFC 6749: a literal https URL (a template could not be pinned), GET or POST, and parameters
    /// that name only the token and the service's own client.
    /// </summary>
    private static void TokenCall(ErrorList errors, string at, TokenCallSettings? call, bool allowLoopbackHttp)
    {
        if (call is null) return;
        if ((call.Url ?? "").Contains("{{", StringComparison.Ordinal)) errors.Add($"{at}.url", "must be a fixed address, without placeholders");
        else Url(errors, $"{at}.url", call.Url, required: true, allowLoopbackHttp);
        if (call.Method is not ("GET" or "POST")) errors.Add($"{at}.method", "must be GET or POST");
        if (call.Parameters.Count is 0 or > 20) errors.Add($"{at}.parameters", "must name between 1 and 20 parameters");
        foreach (var (name, value) in call.Parameters)
        {
            if (name.Length is 0 or > 100 || PrintableText.HasHiddenCharacters(name) || value is null || value.Length > 1024 || PrintableText.HasHiddenCharacters(value))
                errors.Add($"{at}.parameters", $"'{Clip(name)}' is not a name, or its value is not one clean line");
            foreach (var placeholder in TestRequestTemplate.Placeholders(value ?? "").Where(p => !TokenCallSettings.Placeholders.Contains(p)))
                errors.Add($"{at}.parameters", $"'{Clip(name)}' names '{Clip(placeholder)}'; only access_token, client_id and client_secret may be named");
        }
        if (!call.Parameters.Values.Any(v => v?.Contains("{{access_token}}", StringComparison.Ordinal) == true))
            errors.Add($"{at}.parameters", "must carry {{access_token}}: the token is what the call trades");
    }

    private static readonly string[] AssertionAlgorithms = ["RS256", "RS384", "RS512", "PS256", "ES256"];

    /// <summary>
    /// A JWT-bearer assertion: claims that name only values a step may see (never the key), a key field that is a secret
    /// PEM private key, an algorithm the service signs with, and a short life.
    /// </summary>
    private static void ValidateAssertion(ErrorList errors, AppDefinition app, JwtAssertionSettings assertion, List<string> open)
    {
        foreach (var (at, template, required) in new[]
        {
            ("oauth.assertion.issuer", assertion.Issuer, true),
            ("oauth.assertion.subject", assertion.Subject, false),
            ("oauth.assertion.audience", assertion.Audience, false),
        })
        {
            if (template is null or "")
            {
                if (required) errors.Add(at, "is required");
                continue;
            }
            if (template.Length > 1024 || PrintableText.HasHiddenCharacters(template)) errors.Add(at, "must be one clean line of at most 1024 characters");
            foreach (var name in TestRequestTemplate.Placeholders(template).Where(p => !open.Contains(p)))
                errors.Add(at, $"names '{Clip(name)}', which is no field or setting an assertion may carry");
        }
        if (!AssertionAlgorithms.Contains(assertion.Algorithm, StringComparer.Ordinal))
            errors.Add("oauth.assertion.algorithm", $"must be one of {string.Join(", ", AssertionAlgorithms)}");
        if (app.Fields.FirstOrDefault(f => f.Name == assertion.KeyField) is not { Secret: true, Format: KeyFieldFormat.PrivateKey })
            errors.Add("oauth.assertion.keyField", $"must name a secret field of format private_key ('{Clip(assertion.KeyField ?? "")}' does not)");
        if (assertion.KeyIdField is { } kid && app.Fields.All(f => f.Name != kid || f.Secret))
            errors.Add("oauth.assertion.keyIdField", $"must name a field that is not secret ('{Clip(kid)}' does not)");
        if (assertion.LifetimeSeconds is < 30 or > JwtAssertionSettings.MaxLifetimeSeconds)
            errors.Add("oauth.assertion.lifetimeSeconds", $"must be between 30 and {JwtAssertionSettings.MaxLifetimeSeconds}");
    }

    /// <summary>The fields' own rules (names, labels, patterns); the names that passed.</summary>
    private static HashSet<string> ValidateFieldList(ErrorList errors, AppDefinition app)
    {
        if (app.Fields.Count == 0) errors.Add("fields", "a key-based app needs at least one field");
        if (app.Fields.Count > MaxFields) errors.Add("fields", $"has more than {MaxFields} fields");

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < app.Fields.Count; i++)
        {
            var field = app.Fields[i];
            var at = $"fields[{i}]";
            if (field.Name is null || !FieldNamePattern().IsMatch(field.Name)) errors.Add($"{at}.name", "must be a snake_case identifier");
            else if (!names.Add(field.Name)) errors.Add($"{at}.name", $"'{field.Name}' is used twice");
            Text(errors, $"{at}.label", field.Label, MaxNameLength, required: true);
            Text(errors, $"{at}.helpText", field.HelpText, MaxDescriptionLength, required: false);
            if (field.MaxLength is < 1 or > KeyField.DefaultMaxLength)
                errors.Add($"{at}.maxLength", $"must be between 1 and {KeyField.DefaultMaxLength}");
            if (field.Pattern is { } pattern && !CompilesAnchored(pattern))
                errors.Add($"{at}.pattern", "must be a valid regular expression anchored with ^ and $");
            if (!Enum.IsDefined(field.Format)) errors.Add($"{at}.format", "must be text or private_key");
            // A key is what a field marked secret exists for; a pattern cannot describe several lines of PEM.
            if (field.Format == KeyFieldFormat.PrivateKey && (!field.Secret || field.Pattern is not null))
                errors.Add($"{at}.format", "a private_key field must be secret and have no pattern");
        }
        return names;
    }

    private static void ValidateKeys(ErrorList errors, AppDefinition app, bool allowLoopbackHttp)
    {
        if (app.OAuth is not null) errors.Add("oauth", "is only for oauth2 apps");
        var names = ValidateFieldList(errors, app);

        if (app.TestRequest is not { } test) return;
        if (test.Method is not ("GET" or "POST" or "HEAD"))
            errors.Add("testRequest.method", "must be GET, POST or HEAD");
        // Placeholders are replaced before the URL is checked again at send time; here the template itself must be
        // https. "1" stands in for every placeholder because it is valid both as a host label and as a port.
        Url(errors, "testRequest.url", TestRequestTemplate.WithStandIn(test.Url ?? "", "1"), required: true, allowLoopbackHttp);
        if (test.SuccessStatuses.Count == 0 || test.SuccessStatuses.Any(s => s is < 200 or > 299))
            errors.Add("testRequest.successStatuses", "must list 2xx statuses");
        var templates = test.Headers.Values.Append(test.Url ?? "").Append(test.Body ?? "");
        foreach (var placeholder in templates.SelectMany(TestRequestTemplate.Placeholders))
        {
            foreach (var name in TestRequestTemplate.FieldsOf(placeholder))
            {
                if (!names.Contains(name)) errors.Add("testRequest", $"placeholder '{{{{{Clip(placeholder)}}}}}' names no field");
            }
        }
    }

    private static bool IsReservedTokenParameter(string name) => name.ToLowerInvariant() is "grant_type" or "code" or "redirect_uri"
        or "client_id" or "client_secret" or "code_verifier" or "refresh_token" or "client_assertion" or "client_assertion_type"
        or "assertion" or "token" or "token_type_hint";

    // Matched whatever the case: some servers read parameter names case-insensitively, and a second "State" could win.
    private static bool IsReservedAuthorizeParameter(string name) => name.ToLowerInvariant() is "client_id" or "redirect_uri" or "state"
        or "scope" or "response_type" or "code_challenge" or "code_challenge_method" or "client_secret" or "code_verifier"
        or "response_mode" or "request" or "request_uri";

    private static bool CompilesAnchored(string pattern)
    {
        if (!pattern.StartsWith('^') || !pattern.EndsWith('$')) return false;
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void Text(ErrorList errors, string key, string? value, int maxLength, bool required)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors.Add(key, "is required");
        }
        else if (value.Length > maxLength) errors.Add(key, $"must be at most {maxLength} characters");
        // Names and help are shown to people: a bidi override or a zero-width character would make them read something else.
        else if (PrintableText.HasHiddenCharacters(value)) errors.Add(key, "must not hold control or format characters (bidi overrides, zero-width marks) or line separators");
    }

    private static void Url(ErrorList errors, string key, string? value, bool required, bool allowLoopbackHttp)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors.Add(key, "is required");
            return;
        }
        if (value.Length > MaxUrlLength) errors.Add(key, $"must be at most {MaxUrlLength} characters");
        else if (!SafeUrl.IsAllowed(value, allowLoopbackHttp)) errors.Add(key, "must be an absolute https URL");
    }

    private static string Clip(string? value) => value is null ? "" : value.Length <= 64 ? value : value[..64] + "…";

    private sealed class ErrorList
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public void Add(string key, string message)
        {
            if (!_errors.TryGetValue(key, out var list)) _errors[key] = list = [];
            list.Add(message);
        }

        public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }
}
