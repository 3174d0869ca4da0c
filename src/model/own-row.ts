/**
 * The key of the model static that reads a row of the mapper's own SELECT. Unlike the public
 * fromRow(), it may keep the driver's row object as the instance's values: nobody else holds it.
 */
export const FROM_OWN_ROW = Symbol('cqlengine.fromOwnRow');

/** The key of the model static that makes the reader of one page's rows (see model.ts). */
export const OWN_ROW_READER = Symbol('cqlengine.ownRowReader');
