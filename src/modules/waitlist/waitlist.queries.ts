/**
 * An entry as the API returns it, with its place among its event's waiting entries (in order of
 * arrival, by id; null unless waiting). Read from `waitlist_entries w`.
 */
const ENTRY = `
SELECT w.id, w.event_id, w.user_id, w.ticket_type_id, w.quantity, w.status, w.hold_id, w.order_id, w.created_at, w.updated_at,
       CASE WHEN w.status = 'waiting' THEN
         (SELECT count(*)::int FROM waitlist_entries o WHERE o.event_id = w.event_id AND o.status = 'waiting' AND o.id <= w.id)
       END AS position
  FROM waitlist_entries w`;

/** One entry; $1 its id. */
export const ENTRY_QUERY = `${ENTRY} WHERE w.id = $1`;
/** A page of an event's entries in order of arrival; $1 event id, $2 limit, $3 offset. */
export const EVENT_ENTRIES_QUERY = `${ENTRY} WHERE w.event_id = $1 ORDER BY w.id LIMIT $2 OFFSET $3`;
/** A page of a user's entries, newest first; $1 user id, $2 limit, $3 offset. */
export const USER_ENTRIES_QUERY = `${ENTRY} WHERE w.user_id = $1 ORDER BY w.id DESC LIMIT $2 OFFSET $3`;
