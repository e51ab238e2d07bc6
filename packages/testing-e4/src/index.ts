/**
 * Test tools for steady clients on Effect 4.
 *
 * @since 0.1.0
 */

/**
 * @since 0.3.0
 */
export const line = 4 as const
