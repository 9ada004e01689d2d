-- A call's live event also says when its latest turn happened (milliseconds from when the call
-- was answered, which it now also carries), so that a console can tell how long a turn took to
-- reach it. New key only: the
-- dashboard's and consoles' readers ignore what they do not know.
CREATE OR REPLACE FUNCTION live_call_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM publish_live_event(NEW.business_id, 'call', jsonb_build_object(
    'id', NEW.id, 'status', NEW.status, 'caller', NEW.caller, 'started_at', NEW.started_at,
    'answered_at', NEW.answered_at,
    'ended_at', NEW.ended_at, 'outcome', NEW.outcome, 'booked', NEW.appointment_booked,
    'turns', jsonb_array_length(NEW.transcript),
    'last_role', NEW.transcript -> -1 ->> 'role',
    'last_text', left(NEW.transcript -> -1 ->> 'text', 300),
    'last_at_ms', NEW.transcript -> -1 -> 'at_ms',
    'node', NEW.node, 'end_reason', NEW.end_reason,
    'latencies', jsonb_array_length(NEW.latencies), 'latency', NEW.latencies -> -1));
  RETURN NEW;
END
$$;
