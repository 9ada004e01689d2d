-- A transfer to a person survives the node it was asked on: when the dialog (or an operator)
-- hands the caller to staff, the call row says so, so that whichever node Twilio's
-- <Connect action> reaches (through any balancer) answers with the <Dial>. The number to dial:
-- an operator's, or '' for the business's transfer number; NULL when no transfer is pending.
ALTER TABLE calls ADD COLUMN transfer_to text;
