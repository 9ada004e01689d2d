-- The cluster's nodes and the calls they leave behind.
--
-- A call row names the node that carries it (calls.node). When that node dies, no stream carries
-- its open calls any more and no status callback may ever come, so a surviving node (or the same
-- node when it starts again) finishes them with a final status. A node that only looks lost to
-- one survivor (that survivor was frozen, or cut off) must keep its calls: every cluster node
-- writes when it was last alive, and a survivor finishes a lost node's calls only once that
-- node has been silent for a while here too. The database is the arbiter both reach.

CREATE TABLE cluster_nodes (
  name      text PRIMARY KEY,
  last_seen timestamptz NOT NULL DEFAULT now()
);
-- Not tenant data: only these functions touch it.
REVOKE ALL ON cluster_nodes FROM PUBLIC;

CREATE INDEX calls_open_by_node ON calls (node) WHERE ended_at IS NULL;

-- A cluster node says it is alive (every heartbeat).
CREATE FUNCTION cluster_node_alive(node_name text) RETURNS void
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
    INSERT INTO cluster_nodes (name, last_seen) VALUES (node_name, now())
    ON CONFLICT (name) DO UPDATE SET last_seen = now()
  $$;
REVOKE ALL ON FUNCTION cluster_node_alive(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION cluster_node_alive(text) TO frontdesk_app;

-- Finishes the open calls of `node_name` as failed with `reason`, and returns how many; or -1,
-- touching nothing, when the node said it was alive within `quiet_for` (NULL: do not ask, as a
-- node does for its own earlier run at start).
CREATE FUNCTION finish_node_calls(node_name text, reason text, at timestamptz,
                                  quiet_for interval) RETURNS integer
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public
  AS $$
  DECLARE
    n integer;
  BEGIN
    IF quiet_for IS NOT NULL AND EXISTS (
        SELECT 1 FROM cluster_nodes WHERE name = node_name AND last_seen > now() - quiet_for) THEN
      RETURN -1;
    END IF;
    UPDATE calls
       SET status = 'failed',
           end_reason = reason,
           ended_at = at,
           duration_seconds = coalesce(duration_seconds,
             greatest(0, extract(epoch FROM at - coalesce(answered_at, started_at)))::integer)
     WHERE node = node_name
       AND ended_at IS NULL
       AND status IN ('ringing', 'in-progress');
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
  END
  $$;
REVOKE ALL ON FUNCTION finish_node_calls(text, text, timestamptz, interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION finish_node_calls(text, text, timestamptz, interval) TO frontdesk_app;
