// The epilot face, `/v1/sharing/...`, driven by the official, unmodified `@epilot/sdk` client.
//
// Every one of the SDK's twelve sharing operations is called at least once against a real
// `sharewell serve`, with the request shapes the SDK itself produces (see shared/WIRE.md).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { authorize, createClient, getClient } from "@epilot/sdk/sharing";

import { PASSWORD, createOrgWithAdmin, sharewell } from "../support/cli.mjs";
import { startServer } from "../support/server.mjs";

let server;
/** The sharing org (the caller's org is the sharing org) and its admin's SDK client. */
let sharingOrg;
let sharing;
/** Two partner orgs, each with one member, as `{ org, client }`. */
let partnerA;
let partnerB;
/** An SDK client with no token at all. */
let anonymous;

before(async () => {
  server = await startServer();

  const owner = createOrgWithAdmin(server, "Acme Energy", "alice");
  sharingOrg = owner.org;
  sharing = sdkClient(tokenFor("alice"));

  partnerA = partner("Installer North", "north");
  partnerB = partner("Installer South", "south");
  anonymous = createClient();
  anonymous.defaults.baseURL = server.baseUrl;
});

after(async () => {
  await server?.stop();
});

/** A fresh SDK client against the test server, authorised with a Sharewell API token. */
function sdkClient(token) {
  const client = createClient();
  client.defaults.baseURL = server.baseUrl;
  authorize(client, token);
  return client;
}

function tokenFor(username) {
  const { token } = sharewell(server, "token", "create", "--username", username);
  assert.match(token, /^sw_/);
  return token;
}

function partner(orgName, username) {
  const org = sharewell(server, "org", "create", "--name", orgName);
  sharewell(
    server, "user", "create", "--org", org.id, "--username", username,
    "--email", `${username}@example.test`, "--password", PASSWORD, "--role", "member",
  );
  return { org, client: sdkClient(tokenFor(username)) };
}

function entity(entityId, schema = "opportunity") {
  return { schema, entity_id: entityId };
}

function entityIds(config) {
  return config.entities.map((shared) => shared.entity_id).sort();
}

/** The SDK call fails with an axios error carrying `status`; returns the error body. */
async function rejectsWithStatus(call, status) {
  let body;
  await assert.rejects(call, (error) => {
    const sent = error.config ? `${error.config.method?.toUpperCase()} ${error.config.url}` : "?";
    const got = `${sent} → ${error.response?.status}: ${JSON.stringify(error.response?.data)}`;
    assert.equal(error.response?.status, status, got);
    body = error.response.data;
    return true;
  });
  return body;
}

test("the tree-shakeable import hands out a cached client and per-call fresh ones", () => {
  assert.equal(getClient(), getClient(), "getClient() is a singleton");
  assert.notEqual(createClient(), createClient(), "createClient() is not");
  for (const operation of [
    "getSharingConfiguration", "updateSharingConfiguration", "deleteSharingConfiguration",
    "assignRoleToConfiguration", "getSharingConfigurations", "searchPartnerSharingConfigurations",
    "getConfigurationsByTemplateRole", "shareEntityWithPartners", "shareChildEntityWithPartners",
    "offerEntityToPartners", "getOfferStatus", "acceptOffer",
  ]) {
    assert.equal(typeof sharing[operation], "function", operation);
  }
});

test("a missing configuration is a 404 with a message", async () => {
  const body = await rejectsWithStatus(
    sharing.getSharingConfiguration({ partner_org_id: partnerA.org.id }),
    404,
  );
  assert.equal(body.message, "partner configuration not found");
});

test("updateSharingConfiguration creates the configuration; getSharingConfiguration reads it back", async () => {
  const created = await sharing.updateSharingConfiguration(
    { partner_org_id: partnerA.org.id },
    { user_limit: 5 },
  );
  assert.equal(created.status, 200);
  assert.equal(created.config.method, "patch");
  assert.equal(created.data.sharing_org_id, sharingOrg.id);
  assert.equal(created.data.partner_org_id, partnerA.org.id);
  assert.equal(created.data.partner_status, "REGISTERED");
  assert.equal(created.data.user_limit, 5);
  assert.deepEqual(created.data.users, []);
  assert.deepEqual(created.data.entities, []);
  assert.deepEqual(created.data.offered_entities, []);
  assert.match(created.data.created_at, /^\d{4}-\d\d-\d\dT/);

  const read = await sharing.getSharingConfiguration({ partner_org_id: partnerA.org.id });
  assert.equal(read.status, 200);
  assert.equal(read.data.partner_org_id, partnerA.org.id);
  assert.equal(read.data.user_limit, 5);

  const cleared = await sharing.updateSharingConfiguration(
    { partner_org_id: partnerA.org.id },
    { user_limit: null },
  );
  assert.equal(cleared.data.user_limit, undefined, "null clears the limit");

  const bad = await rejectsWithStatus(
    sharing.updateSharingConfiguration({ partner_org_id: partnerA.org.id }, { user_limit: -1 }),
    400,
  );
  assert.equal(bad.message, "user_limit: must be 0 or more");
});

test("a partner id that is no Sharewell org is UNREGISTERED, and a `/` in it survives the path", async () => {
  const { data, request } = await sharing.updateSharingConfiguration(
    { partner_org_id: "future-partner/eu" },
    {},
  );
  assert.match(request.path, /\/v1\/sharing\/configurations\/future-partner%2Feu$/);
  assert.equal(data.partner_org_id, "future-partner/eu");
  assert.equal(data.partner_status, "UNREGISTERED");
  assert.equal(data.sharing_org_id, sharingOrg.id);
});

test("getSharingConfigurations filters by two partner ids sent as partner_org_ids[]", async () => {
  await sharing.updateSharingConfiguration({ partner_org_id: partnerB.org.id }, {});

  const response = await sharing.getSharingConfigurations({
    partner_org_ids: [partnerA.org.id, partnerB.org.id],
  });
  assert.equal(response.status, 200);
  assert.ok(
    response.request.path.includes(
      `partner_org_ids%5B%5D=${partnerA.org.id}&partner_org_ids%5B%5D=${partnerB.org.id}`,
    ),
    `the SDK's own array encoding was sent: ${response.request.path}`,
  );
  assert.ok(Array.isArray(response.data));
  assert.deepEqual(
    response.data.map((config) => config.partner_org_id).sort(),
    [partnerA.org.id, partnerB.org.id].sort(),
    "the unregistered partner's configuration is filtered out",
  );
  for (const config of response.data) {
    assert.equal(config.sharing_org_id, sharingOrg.id);
    assert.equal(config.partner_status, "REGISTERED");
  }

  const one = await sharing.getSharingConfigurations({ partner_org_ids: [partnerB.org.id] });
  assert.deepEqual(one.data.map((config) => config.partner_org_id), [partnerB.org.id]);
});

test("a template role is assigned and the configuration is found by that role", async () => {
  const grants = [{ action: "entity-read", resource: "opportunity:*", effect: "allow" }];
  const created = await fetch(`${server.baseUrl}/api/v1/roles`, {
    method: "POST",
    headers: {
      authorization: sharing.defaults.headers.common.authorization,
      "content-type": "application/json",
    },
    body: JSON.stringify({ name: "Installer", grants }),
  });
  const role = await created.json();
  assert.equal(created.status, 201, JSON.stringify(role));
  assert.equal(typeof role.id, "string");

  const assigned = await sharing.assignRoleToConfiguration(
    { partner_org_id: partnerA.org.id },
    { template_role_id: role.id },
  );
  assert.equal(assigned.status, 200);
  assert.equal(assigned.config.method, "put");
  assert.equal(assigned.data.partner_org_id, partnerA.org.id);
  assert.equal(assigned.data.template_role_id, role.id);
  assert.deepEqual(assigned.data.template_role_grants, grants);
  assert.equal(typeof assigned.data.generated_role_id, "string");

  const byRole = await sharing.getConfigurationsByTemplateRole({ template_role_id: role.id });
  assert.equal(byRole.status, 200);
  assert.deepEqual(byRole.data.map((config) => config.partner_org_id), [partnerA.org.id]);
  assert.equal(byRole.data[0].template_role_id, role.id);

  const unknown = await rejectsWithStatus(
    sharing.assignRoleToConfiguration(
      { partner_org_id: partnerA.org.id },
      { template_role_id: "01a20000-0000-7000-8000-000000000000" },
    ),
    404,
  );
  assert.equal(unknown.message, "template role not found");
});

test("entities are shared, found by search, shared as children, and unshared", async () => {
  const shared = await sharing.shareEntityWithPartners(null, {
    share: [
      { partner_org_id: partnerA.org.id, entities: [entity("deal-1"), entity("deal-2")] },
      { partner_org_id: partnerB.org.id, entities: [entity("deal-2")] },
    ],
    unshare: [],
  });
  assert.equal(shared.status, 200);
  assert.equal(shared.data.length, 2);
  const [toA, toB] = [partnerA, partnerB].map((p) =>
    shared.data.find((config) => config.partner_org_id === p.org.id));
  assert.deepEqual(entityIds(toA), ["deal-1", "deal-2"]);
  assert.deepEqual(entityIds(toB), ["deal-2"]);
  assert.equal(toA.entities[0].schema, "opportunity");
  assert.equal(toA.entities[0].offer_accepted, false);

  const onlyA = await sharing.searchPartnerSharingConfigurations(null, {
    entities: [entity("deal-1")],
  });
  assert.equal(onlyA.status, 200);
  assert.deepEqual(onlyA.data.map((config) => config.partner_org_id), [partnerA.org.id]);
  const both = await sharing.searchPartnerSharingConfigurations(null, {
    entities: [entity("deal-2")],
  });
  assert.deepEqual(
    both.data.map((config) => config.partner_org_id).sort(),
    [partnerA.org.id, partnerB.org.id].sort(),
  );

  const orphan = await rejectsWithStatus(
    sharing.shareChildEntityWithPartners(null, {
      share: [{
        partner_org_id: partnerB.org.id,
        entity: { schema: "file", entity_id: "doc-0", parent_entity_id: "deal-1" },
      }],
      unshare: [],
    }),
    400,
  );
  assert.match(orphan.message, /parent entity `deal-1` is not shared/);

  const child = await sharing.shareChildEntityWithPartners(null, {
    share: [{
      partner_org_id: partnerA.org.id,
      entity: { schema: "file", entity_id: "doc-1", parent_entity_id: "deal-1" },
    }],
    unshare: [],
  });
  assert.equal(child.status, 200);
  assert.equal(child.data.length, 1);
  assert.equal(child.data[0].partner_org_id, partnerA.org.id);
  const doc = child.data[0].entities.find((shared) => shared.entity_id === "doc-1");
  assert.equal(doc.schema, "file");
  assert.equal(doc.parent_entity_id, "deal-1");

  const unshared = await sharing.shareEntityWithPartners(null, {
    share: [],
    unshare: [{ partner_org_id: partnerA.org.id, entities: [entity("deal-2")] }],
  });
  assert.equal(unshared.status, 200);
  assert.deepEqual(entityIds(unshared.data[0]), ["deal-1", "doc-1"]);
  const afterUnshare = await sharing.searchPartnerSharingConfigurations(null, {
    entities: [entity("deal-2")],
  });
  assert.deepEqual(afterUnshare.data.map((config) => config.partner_org_id), [partnerB.org.id]);
});

test("deleteSharingConfiguration returns the configuration and removes it", async () => {
  await sharing.shareEntityWithPartners(null, {
    share: [{ partner_org_id: "future-partner/eu", entities: [entity("deal-7")] }],
    unshare: [],
  });
  const deleted = await sharing.deleteSharingConfiguration({ partner_org_id: "future-partner/eu" });
  assert.equal(deleted.status, 200);
  assert.equal(deleted.config.method, "delete");
  assert.equal(deleted.data.partner_org_id, "future-partner/eu");
  assert.deepEqual(entityIds(deleted.data), ["deal-7"]);

  const gone = { partner_org_id: "future-partner/eu" };
  await rejectsWithStatus(sharing.getSharingConfiguration(gone), 404);
  await rejectsWithStatus(sharing.deleteSharingConfiguration(gone), 404);
  const remaining = await sharing.getSharingConfigurations({
    partner_org_ids: [partnerA.org.id, partnerB.org.id, "future-partner/eu"],
  });
  assert.deepEqual(
    remaining.data.map((config) => config.partner_org_id).sort(),
    [partnerA.org.id, partnerB.org.id].sort(),
  );
});

test("an entity offered to two partners goes to the first to accept; the other gets 409", async () => {
  const offered = await sharing.offerEntityToPartners(null, {
    offer: [
      { partner_org_id: partnerA.org.id, offered_entities: [entity("deal-9")] },
      { partner_org_id: partnerB.org.id, offered_entities: [entity("deal-9")] },
    ],
    unoffer: [],
  });
  assert.equal(offered.status, 200);
  assert.deepEqual(
    offered.data.map((config) => config.partner_org_id).sort(),
    [partnerA.org.id, partnerB.org.id].sort(),
  );
  for (const config of offered.data) {
    const offer = config.offered_entities.find((o) => o.entity_id === "deal-9");
    assert.equal(offer.schema, "opportunity");
    assert.equal(offer.offer_status, "PENDING");
  }

  const parties = (p) => ({
    partner_org_id: p.org.id,
    sharing_org_id: sharingOrg.id,
    entity_id: "deal-9",
  });
  const pending = await anonymous.getOfferStatus(parties(partnerB));
  assert.equal(pending.status, 200);
  assert.equal(pending.config.headers.authorization, undefined, "no token was sent");
  assert.equal(pending.data.offer_status, "PENDING");
  assert.equal(pending.data.entity._id, "deal-9");
  assert.equal(pending.data.entity._schema, "opportunity");
  assert.equal(typeof pending.data.entity._title, "string");
  assert.equal(typeof pending.data.offered_at, "string");
  assert.equal(pending.data.accepted_by_org_id, undefined);

  const won = await partnerA.client.acceptOffer(null, parties(partnerA));
  assert.equal(won.status, 200);
  assert.equal(won.data.sharing_org_id, sharingOrg.id);
  assert.equal(won.data.partner_org_id, partnerA.org.id);
  const accepted = won.data.entities.find((shared) => shared.entity_id === "deal-9");
  assert.equal(accepted.offer_accepted, true);
  assert.equal(
    won.data.offered_entities.find((o) => o.entity_id === "deal-9").offer_status,
    "ACCEPTED",
  );

  const lost = await rejectsWithStatus(partnerB.client.acceptOffer(null, parties(partnerB)), 409);
  assert.equal(
    lost.message,
    "this offer is no longer available: another partner accepted it first",
  );

  const loser = await sharing.getSharingConfiguration({ partner_org_id: partnerB.org.id });
  assert.equal(
    loser.data.offered_entities.find((o) => o.entity_id === "deal-9").offer_status,
    "UNAVAILABLE",
  );
  assert.ok(!entityIds(loser.data).includes("deal-9"), "the loser was not given the entity");

  const winnerStatus = await anonymous.getOfferStatus(parties(partnerA));
  assert.equal(winnerStatus.data.offer_status, "ACCEPTED");
  assert.equal(winnerStatus.data.accepted_by_org_id, partnerA.org.id);
  const loserStatus = await anonymous.getOfferStatus(parties(partnerB));
  assert.equal(loserStatus.data.offer_status, "UNAVAILABLE");
});

test("without a token the SDK's calls are refused with 401", async () => {
  const body = await rejectsWithStatus(
    anonymous.getSharingConfigurations({ partner_org_ids: [partnerA.org.id] }),
    401,
  );
  assert.match(body.message, /authentication required/);
});
