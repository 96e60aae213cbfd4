use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::badges::{OfferStateBadge, PartnerStatusBadge};
use crate::components::combobox::{person_choice, Combobox};
use crate::components::history::History;
use crate::components::layout::Can;
use crate::components::ui::{
    DataTable, EmptyState, ErrorNotice, FormError, LocalTime, BUTTON_CLASSES, CARD_CLASSES,
    DANGER_BUTTON_CLASSES, INPUT_CLASSES, LABEL_CLASSES, SECONDARY_BUTTON_CLASSES, TD_CLASSES,
};
use crate::domain::audit::EventView;
use crate::domain::authz::Operation;
use crate::domain::partners::{
    OfferState, OfferedEntity, PartnerConfig, SharedEntity, TemplateRole,
};
use crate::server_fns::partners::{
    find_partner_people, get_partner, AddPartnerUser, AssignPartnerRole, DeletePartner,
    OfferEntity, RemovePartnerUser, SetUserLimit, ShareEntity,
};

/// One partner configuration: users and limit, role, shared and offered entities.
#[component]
pub fn PartnerDetailPage() -> impl IntoView {
    let params = use_params_map();
    let partner_id = move || params.read().get("partner_id").unwrap_or_default();

    let set_limit = ServerAction::<SetUserLimit>::new();
    let add_user = ServerAction::<AddPartnerUser>::new();
    let remove_user = ServerAction::<RemovePartnerUser>::new();
    let assign_role = ServerAction::<AssignPartnerRole>::new();
    let share = ServerAction::<ShareEntity>::new();
    let offer = ServerAction::<OfferEntity>::new();
    let delete = ServerAction::<DeletePartner>::new();
    let actions = Actions { set_limit, add_user, remove_user, assign_role, share, offer, delete };

    let detail = Resource::new(
        move || {
            (
                partner_id(),
                set_limit.version().get(),
                add_user.version().get(),
                remove_user.version().get(),
                assign_role.version().get(),
                share.version().get(),
                offer.version().get(),
            )
        },
        |(partner_id, ..)| get_partner(partner_id),
    );

    view! {
        <Title text="Partner" />
        <p class="mb-2 text-sm"><a href="/partners" class="text-indigo-700 hover:underline">"← All partners"</a></p>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <PartnerView config=detail.config roles=detail.roles history=detail.history actions /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    set_limit: ServerAction<SetUserLimit>,
    add_user: ServerAction<AddPartnerUser>,
    remove_user: ServerAction<RemovePartnerUser>,
    assign_role: ServerAction<AssignPartnerRole>,
    share: ServerAction<ShareEntity>,
    offer: ServerAction<OfferEntity>,
    delete: ServerAction<DeletePartner>,
}

#[component]
fn PartnerView(
    config: PartnerConfig,
    roles: Vec<TemplateRole>,
    history: Option<Vec<EventView>>,
    actions: Actions,
) -> impl IntoView {
    let partner = config.partner_org_id.clone();
    let title = config.partner_name.clone().unwrap_or_else(|| partner.clone());
    view! {
        <div class="mb-6 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-bold tracking-tight" data-testid="partner-title">{title}</h1>
            <PartnerStatusBadge status=config.partner_status />
            <code class="text-sm text-slate-500">{partner.clone()}</code>
            <a
                href=format!("/access?org={}", crate::components::ui::encode_component(&partner))
                class="text-sm font-medium text-indigo-700 hover:underline"
            >
                "Who has access"
            </a>
        </div>
        <div class="grid gap-4 lg:grid-cols-2">
            <UsersSection config=config.clone() actions />
            <RoleSection config=config.clone() roles actions />
        </div>
        <SharedSection partner=partner.clone() entities=config.entities actions />
        <OffersSection partner=partner.clone() offers=config.offered_entities actions />
        {history.map(|events| view! { <History events /> })}
        <Can op=Operation::PartnerConfigure>
            <DeleteSection partner=partner.clone() actions />
        </Can>
    }
}

#[component]
fn UsersSection(config: PartnerConfig, actions: Actions) -> impl IntoView {
    let partner = config.partner_org_id;
    let add_user_partner = partner.clone();
    let limit = config.user_limit.map(|limit| limit.to_string()).unwrap_or_default();
    let users = config
        .users
        .into_iter()
        .map(|user| {
            let partner = partner.clone();
            view! {
                <li class="flex items-center justify-between py-2">
                    <span>{user.username.clone()}</span>
                    <Can op=Operation::PartnerUsersChange>
                        {
                            let (partner, user) = (partner.clone(), user.clone());
                            view! {
                                <ActionForm action=actions.remove_user>
                                    <input type="hidden" name="partner_org_id" value=partner />
                                    <input type="hidden" name="user_id" value=user.id.to_string() />
                                    <button type="submit" class=DANGER_BUTTON_CLASSES aria-label=format!("Remove {}", user.username)>"Remove"</button>
                                </ActionForm>
                            }
                        }
                    </Can>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class=CARD_CLASSES aria-labelledby="users-heading">
            <h2 id="users-heading" class="text-base font-semibold">"Partner users"</h2>
            <Can
                op=Operation::PartnerConfigure
                fallback={
                    let limit = limit.clone();
                    move || {
                        let shown = if limit.is_empty() { "none".to_owned() } else { limit.clone() };
                        view! { <p class="mt-2 text-sm text-slate-600">"User limit: " {shown}</p> }
                    }
                }
            >
                {
                    let (partner, limit) = (partner.clone(), limit.clone());
                    view! {
                        <ActionForm action=actions.set_limit attr:class="mt-3 flex items-end gap-3">
                            <input type="hidden" name="partner_org_id" value=partner />
                            <div class="flex-1">
                                <label for="user-limit" class=LABEL_CLASSES>"User limit (empty: none)"</label>
                                <input id="user-limit" name="user_limit" type="number" min="0" value=limit class=format!("{INPUT_CLASSES} mt-1") />
                            </div>
                            <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Save limit"</button>
                        </ActionForm>
                    }
                }
            </Can>
            <FormError action=actions.set_limit />
            <ul class="mt-3 divide-y divide-slate-100" data-testid="partner-users">{users}</ul>
            <Can op=Operation::PartnerUsersChange>
                {
                    let add_user_partner = add_user_partner.clone();
                    let search_partner = add_user_partner.clone();
                    view! {
                        <ActionForm action=actions.add_user attr:class="mt-3 flex items-end gap-3">
                            <input type="hidden" name="partner_org_id" value=add_user_partner />
                            <Combobox
                                id="add-user"
                                name="username"
                                label="Add a user of the partner org"
                                placeholder="username"
                                required=true
                                search=move |text: String| {
                                    let partner = search_partner.clone();
                                    async move {
                                        find_partner_people(partner, text).await.unwrap_or_default().into_iter().map(person_choice).collect()
                                    }
                                }
                            />
                            <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Add user"</button>
                        </ActionForm>
                    }
                }
            </Can>
            <FormError action=actions.add_user />
            <FormError action=actions.remove_user />
        </section>
    }
}

#[component]
fn RoleSection(config: PartnerConfig, roles: Vec<TemplateRole>, actions: Actions) -> impl IntoView {
    let partner = config.partner_org_id;
    let assigned = config.template_role_id.map(|id| id.to_string()).unwrap_or_default();
    let grants = config
        .template_role_grants
        .unwrap_or_default()
        .into_iter()
        .map(|grant| {
            let effect = grant.effect.unwrap_or_else(|| "allow".to_owned());
            view! { <li><code>{grant.action}</code> " on " <code>{grant.resource}</code> " " {effect}</li> }
        })
        .collect_view();
    let picker = move || role_picker(roles.clone(), partner.clone(), assigned.clone(), actions);
    view! {
        <section class=CARD_CLASSES aria-labelledby="role-heading">
            <h2 id="role-heading" class="text-base font-semibold">"Role"</h2>
            <Can op=Operation::PartnerConfigure>{picker.clone()}</Can>
            <FormError action=actions.assign_role />
            <ul class="mt-3 space-y-1 text-sm" data-testid="role-grants">{grants}</ul>
            {config.generated_role_id.map(|id| view! { <p class="mt-2 text-xs text-slate-500">"Generated role " <code>{id}</code></p> })}
        </section>
    }
}

/// The form that assigns a template role, or a hint to create one first.
fn role_picker(
    roles: Vec<TemplateRole>,
    partner: String,
    assigned: String,
    actions: Actions,
) -> AnyView {
    if roles.is_empty() {
        view! {
            <p class="mt-2 text-sm text-slate-500">
                "No template roles yet. " <a href="/roles" class="text-indigo-700 underline">"Create one"</a>
            </p>
        }
        .into_any()
    } else {
        let options = roles
            .into_iter()
            .map(|role| {
                let id = role.id.to_string();
                let selected = id == assigned;
                view! { <option value=id selected=selected>{role.name}</option> }
            })
            .collect_view();
        view! {
            <ActionForm action=actions.assign_role attr:class="mt-3 flex items-end gap-3">
                <input type="hidden" name="partner_org_id" value=partner />
                <div class="flex-1">
                    <label for="role" class=LABEL_CLASSES>"Template role"</label>
                    <select id="role" name="template_role_id" class=format!("{INPUT_CLASSES} mt-1")>{options}</select>
                </div>
                <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Assign"</button>
            </ActionForm>
        }
        .into_any()
    }
}

#[component]
fn SharedSection(partner: String, entities: Vec<SharedEntity>, actions: Actions) -> impl IntoView {
    let list = if entities.is_empty() {
        view! { <EmptyState title="Nothing shared yet" hint="Share an entity above, or offer it below." /> }.into_any()
    } else {
        let rows = entities
            .into_iter()
            .map(|entity| {
                let partner = partner.clone();
                let label = format!("Unshare {}", entity.entity_id);
                let parent = entity.parent_entity_id.map(|parent| {
                    view! { <span class="text-xs text-slate-500">" under " <code>{parent}</code></span> }
                });
                view! {
                    <tr>
                        <td class=TD_CLASSES><code>{entity.entity_id.clone()}</code>{parent}</td>
                        <td class=TD_CLASSES>{entity.schema.clone()}</td>
                        <td class=TD_CLASSES>{if entity.offer_accepted { "yes" } else { "no" }}</td>
                        <td class=TD_CLASSES><LocalTime stored=entity.created_at.clone() /></td>
                        <td class=format!("{TD_CLASSES} text-right")>
                            <Can op=Operation::EntitiesShare>
                                {
                                    let (partner, label) = (partner.clone(), label.clone());
                                    let (schema, entity_id) = (entity.schema.clone(), entity.entity_id.clone());
                                    view! {
                                        <ActionForm action=actions.share>
                                            <input type="hidden" name="partner_org_id" value=partner />
                                            <input type="hidden" name="schema" value=schema />
                                            <input type="hidden" name="entity_id" value=entity_id />
                                            <input type="hidden" name="share" value="false" />
                                            <button type="submit" class=DANGER_BUTTON_CLASSES aria-label=label>"Unshare"</button>
                                        </ActionForm>
                                    }
                                }
                            </Can>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <DataTable test_id="shared-entities" headers=&["Entity", "Schema", "Via offer", "Shared", ""]>
                {rows}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <section class=format!("{CARD_CLASSES} mt-6") aria-labelledby="shared-heading">
            <h2 id="shared-heading" class="text-base font-semibold">"Shared entities"</h2>
            <Can op=Operation::EntitiesShare>
                {
                    let partner = partner.clone();
                    view! {
                        <ActionForm action=actions.share attr:class="mt-3 grid gap-3 md:grid-cols-3 md:items-end">
                            <input type="hidden" name="partner_org_id" value=partner />
                            <input type="hidden" name="share" value="true" />
                            <div>
                                <label for="share-schema" class=LABEL_CLASSES>"Schema"</label>
                                <input id="share-schema" name="schema" required placeholder="opportunity" class=format!("{INPUT_CLASSES} mt-1") />
                            </div>
                            <div>
                                <label for="share-entity" class=LABEL_CLASSES>"Entity id"</label>
                                <input id="share-entity" name="entity_id" required class=format!("{INPUT_CLASSES} mt-1") />
                            </div>
                            <button type="submit" class=BUTTON_CLASSES>"Share"</button>
                        </ActionForm>
                    }
                }
            </Can>
            <FormError action=actions.share />
            <div class="mt-3">{list}</div>
        </section>
    }
}

#[component]
fn OffersSection(partner: String, offers: Vec<OfferedEntity>, actions: Actions) -> impl IntoView {
    let list = if offers.is_empty() {
        view! { <EmptyState title="No offers" hint="Offers you make appear here with their status and public link." /> }.into_any()
    } else {
        let rows = offers
            .into_iter()
            .map(|offer| {
                let partner = partner.clone();
                let link = format!("/offers/{}", offer.link_token);
                let link_label = format!("Public link for {}", offer.entity_id);
                let (schema, entity_id) = (offer.schema.clone(), offer.entity_id.clone());
                let withdraw = (offer.offer_status != OfferState::Accepted).then(move || {
                    view! {
                        <Can op=Operation::EntitiesOffer>
                            {
                                let (partner, schema, entity_id) = (partner.clone(), schema.clone(), entity_id.clone());
                                view! {
                                    <ActionForm action=actions.offer>
                                        <input type="hidden" name="partner_org_id" value=partner />
                                        <input type="hidden" name="schema" value=schema />
                                        <input type="hidden" name="entity_id" value=entity_id />
                                        <input type="hidden" name="withdraw" value="true" />
                                        <button type="submit" class=DANGER_BUTTON_CLASSES>"Withdraw"</button>
                                    </ActionForm>
                                }
                            }
                        </Can>
                    }
                });
                view! {
                    <tr>
                        <td class=TD_CLASSES><code>{offer.entity_id.clone()}</code> " " <span class="text-xs text-slate-500">{offer.schema.clone()}</span></td>
                        <td class=TD_CLASSES><OfferStateBadge state=offer.offer_status /></td>
                        <td class=TD_CLASSES><LocalTime stored=offer.expires_at.clone() /></td>
                        <td class=TD_CLASSES>
                            <input readonly value=link.clone() aria-label=link_label data-testid="offer-link" class="w-56 rounded border border-slate-200 bg-slate-50 px-2 py-1 font-mono text-xs" />
                            " " <a href=link class="text-xs text-indigo-700 hover:underline">"open"</a>
                        </td>
                        <td class=format!("{TD_CLASSES} text-right")>{withdraw}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <DataTable test_id="offered-entities" headers=&["Entity", "Status", "Open until", "Public link", ""]>
                {rows}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <section class=format!("{CARD_CLASSES} mt-6") aria-labelledby="offers-heading">
            <h2 id="offers-heading" class="text-base font-semibold">"Offers"</h2>
            <p class="mt-1 text-sm text-slate-600">"Offer an entity to this partner and, if you like, to more partners at once: the first to accept gets it."</p>
            <Can op=Operation::EntitiesOffer>
            {
            let partner = partner.clone();
            view! {
            <ActionForm action=actions.offer attr:class="mt-3 grid gap-3 md:grid-cols-4 md:items-end">
                <input type="hidden" name="partner_org_id" value=partner />
                <div>
                    <label for="offer-schema" class=LABEL_CLASSES>"Schema"</label>
                    <input id="offer-schema" name="schema" required placeholder="opportunity" class=format!("{INPUT_CLASSES} mt-1") />
                </div>
                <div>
                    <label for="offer-entity" class=LABEL_CLASSES>"Entity id"</label>
                    <input id="offer-entity" name="entity_id" required class=format!("{INPUT_CLASSES} mt-1") />
                </div>
                <div>
                    <label for="offer-more" class=LABEL_CLASSES>"Also offer to (partner ids)"</label>
                    <input id="offer-more" name="more_partners" placeholder="optional, comma-separated" class=format!("{INPUT_CLASSES} mt-1") />
                </div>
                <button type="submit" class=BUTTON_CLASSES>"Offer"</button>
            </ActionForm>
            }
            }
            </Can>
            <FormError action=actions.offer />
            <div class="mt-3">{list}</div>
        </section>
    }
}

#[component]
fn DeleteSection(partner: String, actions: Actions) -> impl IntoView {
    view! {
        <section class="mt-6 rounded-lg border border-red-200 bg-white p-4" aria-labelledby="delete-heading">
            <h2 id="delete-heading" class="text-base font-semibold text-red-800">"Delete this configuration"</h2>
            <p class="mt-1 text-sm text-slate-600">"Everything shared with and offered to this partner is withdrawn. This cannot be undone."</p>
            <ActionForm action=actions.delete attr:class="mt-3 flex flex-wrap items-center gap-3">
                <input type="hidden" name="partner_org_id" value=partner />
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="confirm" value="yes" required />
                    "I understand"
                </label>
                <button type="submit" class=DANGER_BUTTON_CLASSES>"Delete configuration"</button>
            </ActionForm>
            <FormError action=actions.delete />
        </section>
    }
}
