/**
 * An error the user can fix: a profile, a config field, a file they gave
 * (image, kernel, firmware) or an option. Its message names the file, the
 * field or offset, and what was expected, so front ends print it alone and
 * exit with 2; any other error is a bug and keeps its stack.
 */
export class UserError extends Error {}
