/**
 * @steady/core: the decisions of a steady client, with no Effect import. Both Effect lines
 * of `@steady/client` build on it; its tests run once.
 *
 * @since 0.3.0
 */

/**
 * @since 0.3.0
 */
export * as Backoff from "./Backoff.js"

/**
 * @since 0.3.0
 */
export * as Breaker from "./Breaker.js"

/**
 * @since 0.3.0
 */
export * as Classification from "./Classification.js"

/**
 * @since 0.3.0
 */
export * as EventStream from "./EventStream.js"

/**
 * @since 0.3.0
 */
export * as Gcra from "./Gcra.js"

/**
 * @since 0.3.0
 */
export * as HttpCache from "./HttpCache.js"

/**
 * @since 0.3.0
 */
export * as Limits from "./Limits.js"

/**
 * @since 0.3.0
 */
export * as Lines from "./Lines.js"

/**
 * @since 0.3.0
 */
export * as LinkHeader from "./LinkHeader.js"

/**
 * @since 0.3.0
 */
export * as ParamStyle from "./ParamStyle.js"

/**
 * @since 0.3.0
 */
export * as Messages from "./Messages.js"

/**
 * @since 0.3.0
 */
export * as Ndjson from "./Ndjson.js"

/**
 * @since 0.3.0
 */
export * as RateLimitHeaders from "./RateLimitHeaders.js"

/**
 * @since 0.3.0
 */
export * as Network from "./Network.js"

/**
 * @since 0.3.0
 */
export * as Redaction from "./Redaction.js"

/**
 * @since 0.3.0
 */
export * as RetryAfter from "./RetryAfter.js"

/**
 * @since 0.3.0
 */
export * as RetryBudget from "./RetryBudget.js"

/**
 * @since 0.3.0
 */
export * as StatusRange from "./StatusRange.js"

/**
 * @since 0.3.0
 */
export * as StatusText from "./StatusText.js"

/**
 * @since 0.3.0
 */
export * as Cassette from "./Cassette.js"
