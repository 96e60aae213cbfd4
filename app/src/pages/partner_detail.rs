use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::badges::{OfferStateBadge, PartnerStatusBadge};
use crate::components::combobox::{person_choice, Choice, Combobox};
use crate::components::feedback::{use_feedback, use_feedback_with, Confirm, CopyField, Toasts};
use crate::components::history::History;
use crate::components::layout::Frame;
use crate::components::ui::{
    DataTable, EmptyState, ErrorNotice, FormError, LocalTime, BUTTON_CLASSES, CARD_CLASSES,
    DANGER_BUTTON_CLASSES, INPUT_CLASSES, LABEL_CLASSES, SECONDARY_BUTTON_CLASSES, TD_CLASSES,
};
use crate::domain::authz::Operation;
use crate::domain::partners::{
    ConfigDeletion, OfferState, OfferedEntity, PartnerConfig, SharedEntity, TemplateRole,
};
use crate::server_fns::partners::{
    find_entities, find_partner_people, get_partner, AddPartnerUser, AssignPartnerRole,
    DeletePartner, OfferEntity, PartnerDetail, RemovePartnerUser, SetUserLimit, ShareEntity,
};
use crate::server_fns::AppError;

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
    use_feedback(set_limit);
    use_feedback(add_user);
    use_feedback(remove_user);
    use_feedback(assign_role);
    use_feedback_with(share, |sent, _| {
        Some(if sent.share == "true" { "Shared with the partner." } else { "Unshared." }.to_owned())
    });
    use_feedback_with(offer, |sent, _| {
        Some(if sent.withdraw == "true" { "Offer withdrawn." } else { "Offer made." }.to_owned())
    });
    let frame = use_context::<Frame>();
    // Bumped when the partner answered an open offer while the page was open.
    let answered = RwSignal::new(0_u32);

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
                answered.get(),
            )
        },
        |(partner_id, ..)| get_partner(partner_id),
    );
    watch_open_offers(detail, partner_id, answered);

    view! {
        <Title text="Partner" />
        <p class="mb-2 text-sm"><a href="/partners" class="text-indigo-700 hover:underline">"← All partners"</a></p>
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let may = Permissions::read(frame).await;
                match detail.await {
                    Ok(detail) => view! { <PartnerView detail actions may /> }.into_any(),
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// How often the page looks whether the partner answered an open offer.
const OFFER_REFRESH: std::time::Duration = std::time::Duration::from_secs(10);

/// In the browser, while an offer is open and the page visible: looks every
/// [`OFFER_REFRESH`] whether the partner accepted or declined one, and only then reads the
/// page again (which redraws its forms) and says so in the live region.
fn watch_open_offers(
    detail: Resource<Result<PartnerDetail, AppError>>,
    partner_id: impl Fn() -> String + Copy + Send + Sync + 'static,
    answered: RwSignal<u32>,
) {
    let look = RwSignal::new(0_u32);
    let live = LocalResource::new(move || {
        let (partner, look) = (partner_id(), look.get());
        async move {
            match look {
                0 => None,
                _ => get_partner(partner).await.ok(),
            }
        }
    });
    // Answered: an offer the page shows as open is now accepted or declined, on the same
    // partner's page. Anything else (an offer that merely expired, a look that crossed the
    // page's own change) waits for the next reading of the page.
    let answered_since = |shown: &PartnerDetail, now: &PartnerDetail| {
        shown.config.partner_org_id == now.config.partner_org_id
            && shown.config.offered_entities.iter().any(|before| {
                before.offer_status == OfferState::Pending
                    && now.config.offered_entities.iter().any(|after| {
                        after.schema == before.schema
                            && after.entity_id == before.entity_id
                            && matches!(
                                after.offer_status,
                                OfferState::Accepted | OfferState::Declined
                            )
                    })
            })
    };
    let toasts = use_context::<Toasts>();
    Effect::new(move |_| {
        let Some(Some(now)) = live.get() else { return };
        let Some(Ok(shown)) = detail.get_untracked() else { return };
        if answered_since(&shown, &now) {
            if let Some(toasts) = toasts {
                toasts.say("The partner answered an offer: the page shows it now.");
            }
            answered.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                let open = detail.get_untracked().and_then(Result::ok).is_some_and(|shown| {
                    let offers = &shown.config.offered_entities;
                    offers.iter().any(|offer| offer.offer_status == OfferState::Pending)
                });
                if open && !document().hidden() {
                    look.update(|n| *n += 1);
                }
            },
            OFFER_REFRESH,
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
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

/// What the actor may change on the page, read with the page's data: a `Can` inside the
/// awaited detail would be a suspense inside its suspense, which fails to hydrate.
#[derive(Clone, Copy, Debug, Default)]
struct Permissions {
    configure: bool,
    users: bool,
    share: bool,
    offer: bool,
}

impl Permissions {
    async fn read(frame: Option<Frame>) -> Self {
        let Some(frame) = frame else { return Self::default() };
        Self {
            configure: frame.allows(Operation::PartnerConfigure).await,
            users: frame.allows(Operation::PartnerUsersChange).await,
            share: frame.allows(Operation::EntitiesShare).await,
            offer: frame.allows(Operation::EntitiesOffer).await,
        }
    }
}

#[component]
fn PartnerView(detail: PartnerDetail, actions: Actions, may: Permissions) -> impl IntoView {
    let PartnerDetail { config, roles, history, deletion, link_base } = detail;
    let partner = config.partner_org_id.clone();
    let title = config.partner_name.clone().unwrap_or_else(|| partner.clone());
    view! {
        <div class="mb-6 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-bold tracking-tight" data-testid="partner-title">{title.clone()}</h1>
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
            <UsersSection config=config.clone() actions may />
            <RoleSection config=config.clone() roles actions may />
        </div>
        <SharedSection partner=partner.clone() name=title.clone() entities=config.entities actions may />
        <OffersSection partner=partner.clone() name=title.clone() offers=config.offered_entities link_base actions may />
        {history.map(|events| view! { <History events /> })}
        {deletion.filter(|_| may.configure).map(|deletion| view! {
            <DeleteSection partner=partner.clone() name=title.clone() deletion actions />
        })}
    }
}

#[component]
fn UsersSection(config: PartnerConfig, actions: Actions, may: Permissions) -> impl IntoView {
    let partner = config.partner_org_id;
    let partner_name = config.partner_name.unwrap_or_else(|| partner.clone());
    let add_user_partner = partner.clone();
    let limit = config.user_limit.map(|limit| limit.to_string()).unwrap_or_default();
    let users = config
        .users
        .into_iter()
        .map(|user| {
            let partner = partner.clone();
            let remove = may.users.then(|| {
                let consequence = format!(
                    "They lose, at once, everything your org shares with {partner_name}."
                );
                let (object, button_label) =
                    (user.username.clone(), format!("Remove {}", user.username));
                let user_id = user.id.to_string();
                view! {
                    <Confirm action="Remove…" object consequence>
                        <ActionForm action=actions.remove_user>
                            <input type="hidden" name="partner_org_id" value=partner />
                            <input type="hidden" name="user_id" value=user_id />
                            <button type="submit" class=DANGER_BUTTON_CLASSES aria-label=button_label>"Remove"</button>
                        </ActionForm>
                    </Confirm>
                }
            });
            view! {
                <li class="flex flex-wrap items-start justify-between gap-2 py-2">
                    <span>{user.username.clone()}</span>
                    {remove}
                </li>
            }
        })
        .collect_view();
    let limit_view = if may.configure {
        view! {
            <ActionForm action=actions.set_limit attr:class="mt-3 flex items-end gap-3">
                <input type="hidden" name="partner_org_id" value=partner.clone() />
                <div class="flex-1">
                    <label for="user-limit" class=LABEL_CLASSES>"User limit (empty: none)"</label>
                    <input id="user-limit" name="user_limit" type="number" min="0" value=limit class=format!("{INPUT_CLASSES} mt-1") />
                </div>
                <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Save limit"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        let shown = if limit.is_empty() { "none".to_owned() } else { limit };
        view! { <p class="mt-2 text-sm text-slate-600">"User limit: " {shown}</p> }.into_any()
    };
    view! {
        <section class=CARD_CLASSES aria-labelledby="users-heading">
            <h2 id="users-heading" class="text-base font-semibold">"Partner users"</h2>
            {limit_view}
            <FormError action=actions.set_limit />
            <ul class="mt-3 divide-y divide-slate-100" data-testid="partner-users">{users}</ul>
            {may.users.then(|| {
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
            })}
            <FormError action=actions.add_user />
            <FormError action=actions.remove_user />
        </section>
    }
}

#[component]
fn RoleSection(
    config: PartnerConfig,
    roles: Vec<TemplateRole>,
    actions: Actions,
    may: Permissions,
) -> impl IntoView {
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
    let picker = may.configure.then(|| role_picker(roles, partner, assigned, actions));
    view! {
        <section class=CARD_CLASSES aria-labelledby="role-heading">
            <h2 id="role-heading" class="text-base font-semibold">"Role"</h2>
            {picker}
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
fn SharedSection(
    partner: String,
    name: String,
    entities: Vec<SharedEntity>,
    actions: Actions,
    may: Permissions,
) -> impl IntoView {
    let list = if entities.is_empty() {
        view! { <EmptyState title="Nothing shared yet" hint="Share an entity above, or offer it below." /> }.into_any()
    } else {
        let rows = entities
            .into_iter()
            .map(|entity| {
                let parent = entity.parent_entity_id.clone().map(|parent| {
                    view! { <span class="text-xs text-slate-500">" under " <code>{parent}</code></span> }
                });
                let unshare = may.share.then(|| {
                    let consequence = format!("{name} loses access to it at once.");
                    let (partner, schema, entity_id) =
                        (partner.clone(), entity.schema.clone(), entity.entity_id.clone());
                    let (object, button_label) = (entity_id.clone(), format!("Unshare {entity_id}"));
                    view! {
                        <Confirm action="Unshare…" object consequence>
                            <ActionForm action=actions.share>
                                <input type="hidden" name="partner_org_id" value=partner />
                                <input type="hidden" name="schema" value=schema />
                                <input type="hidden" name="entity_id" value=entity_id />
                                <input type="hidden" name="share" value="false" />
                                <button type="submit" class=DANGER_BUTTON_CLASSES aria-label=button_label>"Unshare"</button>
                            </ActionForm>
                        </Confirm>
                    }
                });
                view! {
                    <tr>
                        <td class=TD_CLASSES><code>{entity.entity_id.clone()}</code>{parent}</td>
                        <td class=TD_CLASSES>{entity.schema.clone()}</td>
                        <td class=TD_CLASSES>{if entity.offer_accepted { "yes" } else { "no" }}</td>
                        <td class=TD_CLASSES><LocalTime stored=entity.created_at.clone() /></td>
                        <td class=format!("{TD_CLASSES} text-right")>{unshare}</td>
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
            {may.share.then(|| view! {
                <ActionForm action=actions.share attr:class="mt-3 grid gap-3 md:grid-cols-3 md:items-end">
                    <input type="hidden" name="partner_org_id" value=partner />
                    <input type="hidden" name="share" value="true" />
                    <EntityFields schema_id="share-schema" entity_id="share-entity" />
                    <button type="submit" class=BUTTON_CLASSES>"Share"</button>
                </ActionForm>
            })}
            <FormError action=actions.share />
            <div class="mt-3">{list}</div>
        </section>
    }
}

/// The schema and entity id fields of the share and offer forms. The id is a picker of the
/// org's entities shared or offered before; picking one fills its schema too. Without
/// JavaScript both are plain fields.
#[component]
fn EntityFields(schema_id: &'static str, entity_id: &'static str) -> impl IntoView {
    let schema = RwSignal::new(String::new());
    let search = |text: String| async move {
        find_entities(text)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|found| Choice {
                value: found.entity_id.clone(),
                label: found.entity_id,
                hint: Some(found.schema),
            })
            .collect()
    };
    let on_pick = Callback::new(move |choice: Choice| {
        if let Some(picked) = choice.hint {
            schema.set(picked);
        }
    });
    view! {
        <div>
            <label for=schema_id class=LABEL_CLASSES>"Schema"</label>
            <input
                id=schema_id
                name="schema"
                required
                placeholder="opportunity"
                class=format!("{INPUT_CLASSES} mt-1")
                prop:value=move || schema.get()
                on:input=move |event| schema.set(event_target_value(&event))
            />
        </div>
        <div class="flex">
            <Combobox id=entity_id name="entity_id" label="Entity id" required=true search on_pick />
        </div>
    }
}

#[component]
fn OffersSection(
    partner: String,
    name: String,
    offers: Vec<OfferedEntity>,
    link_base: String,
    actions: Actions,
    may: Permissions,
) -> impl IntoView {
    let list = if offers.is_empty() {
        view! { <EmptyState title="No offers" hint="Offers you make appear here with their status and public link." /> }.into_any()
    } else {
        let rows = offers
            .into_iter()
            .map(|offer| {
                let link = format!("{link_base}/offers/{}", offer.link_token);
                let link_label = format!("public link for {}", offer.entity_id);
                let withdraw = (offer.offer_status != OfferState::Accepted && may.offer).then(|| {
                    let consequence =
                        format!("Its link stops working: {name} can no longer accept it.");
                    let (partner, schema, entity_id) =
                        (partner.clone(), offer.schema.clone(), offer.entity_id.clone());
                    let object = format!("offer of {entity_id}");
                    view! {
                        <Confirm action="Withdraw…" object consequence>
                            <ActionForm action=actions.offer>
                                <input type="hidden" name="partner_org_id" value=partner />
                                <input type="hidden" name="schema" value=schema />
                                <input type="hidden" name="entity_id" value=entity_id />
                                <input type="hidden" name="withdraw" value="true" />
                                <button type="submit" class=DANGER_BUTTON_CLASSES>"Withdraw the offer"</button>
                            </ActionForm>
                        </Confirm>
                    }
                });
                view! {
                    <tr>
                        <td class=TD_CLASSES><code>{offer.entity_id.clone()}</code> " " <span class="text-xs text-slate-500">{offer.schema.clone()}</span></td>
                        <td class=TD_CLASSES><OfferStateBadge state=offer.offer_status /></td>
                        <td class=TD_CLASSES><LocalTime stored=offer.expires_at.clone() /></td>
                        <td class=TD_CLASSES>
                            <CopyField value=link.clone() label=link_label test_id="offer-link" />
                            <a href=link class="text-xs text-indigo-700 hover:underline">"open"</a>
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
            {may.offer.then(|| view! {
                <ActionForm action=actions.offer attr:class="mt-3 grid gap-3 md:grid-cols-4 md:items-end">
                    <input type="hidden" name="partner_org_id" value=partner />
                    <EntityFields schema_id="offer-schema" entity_id="offer-entity" />
                    <div>
                        <label for="offer-more" class=LABEL_CLASSES>"Also offer to (partner ids)"</label>
                        <input id="offer-more" name="more_partners" placeholder="optional, comma-separated" class=format!("{INPUT_CLASSES} mt-1") />
                    </div>
                    <button type="submit" class=BUTTON_CLASSES>"Offer"</button>
                </ActionForm>
            })}
            <FormError action=actions.offer />
            <div class="mt-3">{list}</div>
        </section>
    }
}

#[component]
fn DeleteSection(
    partner: String,
    name: String,
    deletion: ConfigDeletion,
    actions: Actions,
) -> impl IntoView {
    let consequence = deletion_text(&name, deletion);
    view! {
        <section class="mt-6 rounded-lg border border-red-200 bg-white p-4" aria-labelledby="delete-heading">
            <h2 id="delete-heading" class="text-base font-semibold text-red-800">"Delete this configuration"</h2>
            <p class="mt-1 text-sm text-slate-600">"Everything shared with and offered to this partner is withdrawn."</p>
            <div class="mt-3">
                <Confirm action="Delete configuration…" consequence>
                    <ActionForm action=actions.delete>
                        <input type="hidden" name="partner_org_id" value=partner />
                        <input type="hidden" name="confirm" value="yes" />
                        <button type="submit" class=DANGER_BUTTON_CLASSES>"Delete the configuration"</button>
                    </ActionForm>
                </Confirm>
            </div>
            <FormError action=actions.delete />
        </section>
    }
}

/// What deleting takes away, in words: "Deletes 3 shares with Globex (1 from an accepted
/// offer), withdraws 2 open offers and removes 1 partner user. This cannot be undone."
fn deletion_text(name: &str, deletion: ConfigDeletion) -> String {
    let count = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let accepted = if deletion.accepted > 0 {
        format!(" ({} from accepted offers)", deletion.accepted)
    } else {
        String::new()
    };
    format!(
        "Deletes {} with {name}{accepted}, withdraws {} and removes {}. This cannot be undone.",
        count(deletion.shared, "share", "shares"),
        count(deletion.open_offers, "open offer", "open offers"),
        count(deletion.users, "partner user", "partner users"),
    )
}
