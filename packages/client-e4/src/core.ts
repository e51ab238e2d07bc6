/**
 * steady's core: everything but the Node connection pool.
 *
 * @since 0.2.0
 */

/**
 * @since 0.3.0
 */
export const line = 4 as const
