-- A page of one share's recipients in id order is an index seek (issue #15), as its
-- resources' already is (account_share_resources_by_share). Portable SQL.
CREATE INDEX account_share_recipients_by_share ON account_share_recipients (share_id, id);
