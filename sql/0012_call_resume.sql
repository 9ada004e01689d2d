-- A live call survives its node: after each reply the dialog's state (what is being booked,
-- the step it is at) is saved on the call row with the transcript, so that when the node
-- carrying the call is lost, the node Twilio's <Connect action> reaches can take the call over
-- and resume the conversation where it was. Small versioned JSON, written by the dialog engine.
ALTER TABLE calls ADD COLUMN dialog_state jsonb;
