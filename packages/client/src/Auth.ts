/**
 * Credentials as layers. The code that calls an API never adds an `Authorization` header or
 * refreshes a token by hand: `ApiClient.make` picks up the `Auth` service when one is in
 * context and applies it to every attempt.
 *
 * Every secret accepts a `Redacted`, a `Config<Redacted>` (e.g. `Config.Redacted("TOKEN")`)
 * or an `Effect` that produces one; it is read once, when the layer is built, and never
 * appears in errors, logs or `toJSON`.
 *
 * Credentials go to one API only: the origins named with `origins`, or else the first origin
 * that uses them. Any other client in the same scope sends its requests without them (with a
 * warning that names both hosts). See docs/configuration-and-auth.md, "Two APIs in one app".
 *
 * @since 0.1.0
 */
import type * as Config from "effect/Config"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as ApiError from "./ApiError.js"
import * as internal from "./internal/auth.js"

/**
 * A secret: a `Redacted`, a `Config<Redacted>` or an `Effect` that produces one.
 *
 * @since 0.1.0
 * @category models
 */
export type Secret<E = never, R = never> = Redacted.Redacted<string> | Effect.Effect<Redacted.Redacted<string>, E, R>

/**
 * Credentials applied to one attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface Applied {
  /** Headers to set (lower-case names). */
  readonly headers: Readonly<Record<string, string>>
  /** Query parameters to set. */
  readonly query: Readonly<Record<string, string>>
  /** Which credential was used; handed back to `unauthorized` after a 401. */
  readonly generation: number
}

/**
 * The service `ApiClient` uses. Write your own for a scheme steady does not ship; the
 * constructors here cover bearer tokens, API keys, basic auth and OAuth2 client credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Credentials for the next attempt. Fails when they cannot be obtained. */
  readonly credentials: Effect.Effect<
    Applied,
    internal.CredentialsFailure
  >
  /**
   * Called once after a 401 with the generation that was used. Returns `true` when a replay
   * may succeed (the token was refreshed, or a newer one exists); `false` otherwise.
   */
  readonly unauthorized: (generation: number) => Effect.Effect<boolean>
  /** Header names to redact wherever headers are shown. */
  readonly sensitiveHeaders: ReadonlyArray<string>
  /** Query parameter names to redact wherever URLs are shown. */
  readonly sensitiveQueryParams: ReadonlyArray<string>
  /**
   * Secret values to mask wherever they appear in an error (a server may echo them), beyond
   * the values of the headers and query parameters above, which are always masked: e.g. a
   * basic-auth password or an OAuth client secret. Optional.
   */
  readonly secretValues?: ReadonlyArray<string> | undefined
  /**
   * The origins (`https://api.example`: scheme, host and port) the credentials are for; a
   * request to any other origin is sent without them. When absent, the credentials serve the
   * first origin that uses them: the `baseUrl` of the first client made with them, or the
   * first request's; a request to another origin is sent without them, and a warning names
   * both. Optional.
   *
   * @since 0.3.0
   */
  readonly origins?: ReadonlyArray<string> | undefined
}

/**
 * Options every credentials layer takes.
 *
 * @since 0.3.0
 * @category models
 */
export interface Options {
  /**
   * The origins the credentials are for (`"https://api.github.com"`; a path is ignored). A
   * request to any other origin goes without them. Default: the first origin that uses them
   * (see `Service.origins`). Name them whenever more than one API shares a scope.
   */
  readonly origins?: ReadonlyArray<string | URL> | undefined
}

/**
 * Why credentials could not be obtained, before it becomes the `AuthenticationError` of the
 * request that needed them.
 *
 * @since 0.1.0
 * @category models
 */
export type CredentialsFailure = internal.CredentialsFailure

/**
 * @since 0.1.0
 * @category tags
 */
export interface Auth {
  readonly _: unique symbol
}

/**
 * @since 0.1.0
 * @category tags
 */
export const Auth: Context.Service<Auth, Service> = internal.tag

/**
 * `Authorization: Bearer <token>`.
 *
 * @example
 * ```ts
 * import { Auth } from "@steady/client"
 * import { Config } from "effect"
 *
 * const AuthLive = Auth.layerBearer(Config.Redacted("PETSTORE_TOKEN"))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBearer = <E = never, R = never>(
  token: Secret<E, R>,
  options?: Options | undefined
): Layer.Layer<Auth, E, R> => internal.layerBearer(token, options)

/**
 * An API key in a header (`{ header: "x-api-key" }`) or a query parameter
 * (`{ query: "api_key" }`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerApiKey = <E = never, R = never>(
  where: { readonly header: string } | { readonly query: string },
  key: Secret<E, R>,
  options?: Options | undefined
): Layer.Layer<Auth, E, R> => internal.layerApiKey(where, key, options)

/**
 * `Authorization: Basic base64(user:password)`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerBasic = <E = never, R = never>(
  user: string,
  password: Secret<E, R>,
  options?: Options | undefined
): Layer.Layer<Auth, E, R> => internal.layerBasic(user, password, options)

/**
 * Fixed headers and query parameters, for tests: swap it in for the production layer and
 * nothing else changes.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (
  credentials: {
    readonly headers?: Readonly<Record<string, string>> | undefined
    readonly query?: Readonly<Record<string, string>> | undefined
  },
  options?: Options | undefined
): Layer.Layer<Auth> => internal.layerStatic(credentials, options)

/**
 * Options of the OAuth2 client-credentials grant (RFC 6749 §4.4).
 *
 * @since 0.1.0
 * @category models
 */
export interface OAuth2ClientCredentialsOptions<E = never, R = never> {
  /** The token endpoint. */
  readonly tokenUrl: string | URL
  readonly clientId: string
  readonly clientSecret: Secret<E, R>
  readonly scope?: string | ReadonlyArray<string> | undefined
  readonly audience?: string | undefined
  /** How the client authenticates to the token endpoint. Default `"basic"` (RFC 6749 §2.3.1). */
  readonly clientAuthentication?: "basic" | "body" | undefined
  /** Refresh this long before the token expires. Default `60 seconds` (at most half the token's lifetime). */
  readonly refreshSkew?: Duration.Input | undefined
  /** The limit for one token request. Default `10 seconds`. */
  readonly timeout?: Duration.Input | undefined
  /**
   * The origins of the API the token is for (not the token endpoint's). Default: the first
   * origin that uses it (see `Options.origins`).
   *
   * @since 0.3.0
   */
  readonly origins?: ReadonlyArray<string | URL> | undefined
}

/**
 * OAuth2 client credentials: the token is fetched from `tokenUrl` through the `HttpClient`
 * in context, cached, refreshed before it expires, fetched once for any number of
 * concurrent calls, and refreshed once (with one replay) after a 401 when the request used
 * the current token. A failing token endpoint yields `AuthenticationError` with the
 * endpoint's `error` and `error_description`.
 *
 * @example
 * ```ts
 * import { Auth } from "@steady/client"
 * import { Config } from "effect"
 *
 * const AuthLive = Auth.layerOAuth2ClientCredentials({
 *   tokenUrl: "https://auth.example/oauth/token",
 *   clientId: "my-app",
 *   clientSecret: Config.Redacted("OAUTH_CLIENT_SECRET"),
 *   scope: ["pets:read", "pets:write"]
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerOAuth2ClientCredentials = <E = never, R = never>(
  options: OAuth2ClientCredentialsOptions<E, R>
): Layer.Layer<Auth, E, R | HttpClient.HttpClient> => internal.layerOAuth2ClientCredentials(options)

/**
 * The error type a secret read from `Config` adds to a layer.
 *
 * @since 0.1.0
 * @category models
 */
export type SecretError = Config.ConfigError

/**
 * Turns a credentials failure into the `AuthenticationError` of the request that needed
 * the credentials.
 *
 * @since 0.1.0
 * @category errors
 */
export const toAuthenticationError = (
  failure: CredentialsFailure,
  request: ApiError.RequestInfo
): ApiError.AuthenticationError => internal.toAuthenticationError(failure, request)
