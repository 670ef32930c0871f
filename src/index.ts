/** nrelu-bench's public library API (see DESIGN.md); nothing else is public. */
export { tf } from './tf.js';
export { UserError } from './errors.js';
