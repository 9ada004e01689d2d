-- The etag of our event as Google last gave it back (insert, patch, or a read after a 412). A
-- patch sends it as If-Match, so a change made in Google since our last write is noticed (412)
-- and the event read again before ours is written, instead of being written over unseen.
ALTER TABLE appointments
  ADD COLUMN calendar_etag text;
