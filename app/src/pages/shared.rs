use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::components::combobox::{person_choice, Combobox};
use crate::components::feedback::{use_feedback, use_feedback_with, Confirm};
use crate::components::layout::{Can, Frame, Tabs};
use crate::components::list::{
    refuse_unknown_list_params, use_list_params, use_prefixed_list_params, ListLinks,
};
use crate::components::ui::{
    encode_component, Column, DataTable, EmptyState, ErrorNotice, FormError, ListControls,
    LocalTime, PageHeader, Pager, SortedDataTable, BADGE_AMBER_CLASSES, BUTTON_CLASSES,
    CARD_CLASSES, DANGER_BUTTON_CLASSES, INPUT_CLASSES, LABEL_CLASSES, SECONDARY_BUTTON_CLASSES,
    TD_CLASSES,
};
use crate::domain::authz::Operation;
use crate::domain::files::{Access, PersonShare, SharePage};
use crate::domain::listing::{
    AccountShareSort, FileShareSort, ListChoice, ListParams, SortDir, ACCOUNT_SHARE_LIST,
    FILE_SHARE_LIST,
};
use crate::server_fns::files::{
    find_people, list_shares, ChangeShareAccess, RevokeShare, ShareFiles,
};
use crate::server_fns::org_shares::{org_shares, AccountShareRow, ExtendShare, OrgSharesView};

/// Everything the user shared and was shared, with filters; sharing a file from here.
#[component]
pub fn SharedPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let tab =
        move || if param("tab") == "received" { "received".to_owned() } else { "sent".to_owned() };
    let share = ServerAction::<ShareFiles>::new();
    let revoke = ServerAction::<RevokeShare>::new();
    let change = ServerAction::<ChangeShareAccess>::new();
    let frame = use_context::<Frame>();
    // Two sortable lists on one page: the account shares' parameters are the plain ones
    // (`sort`, `opage`), the file shares' carry the prefix (`fsort`, `fpage`).
    let list_params = use_list_params();
    refuse_unknown_list_params(&ACCOUNT_SHARE_LIST, &list_params());
    let file_list = use_prefixed_list_params(FILE_PREFIX);
    refuse_unknown_list_params(&FILE_SHARE_LIST, &file_list());
    use_feedback_with(share, |_, result| result.shared.then(|| "Shared.".to_owned()));
    use_feedback(revoke);
    use_feedback(change);
    let shares = Resource::new(
        move || {
            (
                tab(),
                param("kind"),
                param("q"),
                param("fpage").parse::<i64>().unwrap_or(1),
                file_list(),
                share.version().get(),
                revoke.version().get(),
                change.version().get(),
            )
        },
        |(tab, kind, q, page, list, ..)| {
            list_shares(tab, kind, q, page, list.sort, list.dir, list.per_page)
        },
    );

    view! {
        <Title text="Shared" />
        <PageHeader title="Shared" summary="Files and apps you shared with people, what people shared with you, and what your organization shares with others." />
        <Can op=Operation::FilesShare>
        <section class=format!("{CARD_CLASSES} mb-6")>
            <h2 class="text-base font-semibold">"Share a file"</h2>
            <ActionForm action=share attr:class="mt-3 grid gap-3 md:grid-cols-4 md:items-end">
                <div class="md:col-span-2">
                    <label for="share-path" class=LABEL_CLASSES>"Path"</label>
                    <input id="share-path" name="path" required placeholder="/you/report.pdf" class=format!("{INPUT_CLASSES} mt-1") />
                </div>
                <div class="flex">
                    <Combobox
                        id="share-recipients"
                        name="recipients"
                        label="With (usernames or emails)"
                        list=true
                        required=true
                        search=|text: String| async move {
                            find_people(text).await.unwrap_or_default().into_iter().map(person_choice).collect()
                        }
                    />
                </div>
                <div class="flex items-end gap-2">
                    <div class="flex-1">
                        <label for="share-access" class=LABEL_CLASSES>"Access"</label>
                        <select id="share-access" name="access" class=format!("{INPUT_CLASSES} mt-1")>
                            <option value="read">"read"</option>
                            <option value="write">"write"</option>
                        </select>
                    </div>
                    <button type="submit" class=BUTTON_CLASSES>"Share"</button>
                </div>
            </ActionForm>
            <FormError action=share />
            {move || share.value().get().and_then(Result::ok).map(|result| view! {
                <ul class="mt-3 space-y-1 text-sm" data-testid="share-verdicts">
                    {result.verdicts.into_iter().map(|verdict| {
                        let class = if verdict.error.is_some() { "text-red-700" } else { "text-green-800" };
                        let outcome = verdict.error.unwrap_or_else(|| if result.shared { "shared".to_owned() } else { "ok".to_owned() });
                        view! { <li class=class>{verdict.subject} ": " {outcome}</li> }
                    }).collect_view()}
                    {(!result.shared).then(|| view! { <li class="text-slate-600">"Nothing was shared: fix the entries above and try again."</li> })}
                </ul>
            })}
        </section>
        </Can>
        <Tabs
            current=Signal::derive(tab)
            tabs=&[("sent", "Sent", "/shared?tab=sent"), ("received", "Received", "/shared?tab=received")]
        />
        <form method="get" class="my-4 flex flex-wrap items-end gap-3" aria-label="Filter shares">
            <input type="hidden" name="tab" value=tab />
            <div>
                <label for="kind" class=LABEL_CLASSES>"Kind"</label>
                <select id="kind" name="kind" class=format!("{INPUT_CLASSES} mt-1")>
                    <option value="">"All"</option>
                    <option value="file" selected=move || param("kind") == "file">"Files"</option>
                    <option value="app" selected=move || param("kind") == "app">"Apps"</option>
                    <option value="resource" selected=move || param("kind") == "resource">"Resources (Cloudflare, EnableNow)"</option>
                    <option value="entity" selected=move || param("kind") == "entity">"Partner entities"</option>
                </select>
            </div>
            <div>
                <label for="q" class=LABEL_CLASSES>"Text"</label>
                <input id="q" name="q" type="search" value=move || param("q") class=format!("{INPUT_CLASSES} mt-1") />
            </div>
            <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Filter"</button>
        </form>
        <FormError action=revoke />
        <FormError action=change />
        <Show when=move || matches!(param("kind").as_str(), "" | "file" | "app")>
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let received = tab() == "received";
                    let may = match frame {
                        Some(frame) => RowPermissions {
                            change: frame.allows(Operation::FileShareAccessChange).await,
                            revoke: frame.allows(Operation::FileShareRevoke).await,
                        },
                        None => RowPermissions::default(),
                    };
                    match shares.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(page) if page.shares.is_empty() => view! {
                            <EmptyState
                                title=if received { "Nothing shared with you" } else { "You have not shared anything" }
                                hint="Shares made here, through the Puter and Züs APIs, and approved requests all appear in this list."
                            />
                        }.into_any(),
                        Ok(page) => {
                            // Checked by the server function already, which answered.
                            let Ok(choice) = FILE_SHARE_LIST.parse(&file_list()) else {
                                return ().into_any();
                            };
                            let mut keep = filter_params(&tab(), &param("kind"), &param("q"));
                            keep.extend(current_params(&query.read_untracked(), ACCOUNT_SHARE_PARAMS));
                            view! { <ShareTable page received may revoke change choice keep /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </Show>
        <Show when=move || matches!(param("kind").as_str(), "" | "resource" | "entity")>
            <OrgShares
                tab=Signal::derive(tab)
                kind=Signal::derive(move || param("kind"))
                text=Signal::derive(move || param("q"))
                org_page=Signal::derive(move || param("opage").parse::<i64>().unwrap_or(1))
                list=Signal::derive(list_params)
                file_list=Signal::derive(move || current_params(&query.read(), FILE_SHARE_PARAMS))
            />
        </Show>
    }
}

/// The prefix of the file shares' list parameters.
const FILE_PREFIX: &str = "f";

/// The list parameters of each table, which the other table's links and forms keep.
const ACCOUNT_SHARE_PARAMS: &[&str] = &["sort", "dir", "status", "per_page", "opage"];
const FILE_SHARE_PARAMS: &[&str] = &["fsort", "fdir", "fper_page", "fpage"];

/// The page's filter (tab, kind and text), which every link and form keeps.
fn filter_params(tab: &str, kind: &str, text: &str) -> Vec<(String, String)> {
    [("tab", tab), ("kind", kind), ("q", text)]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// The `names` the page's query has values for, as they are.
fn current_params(query: &ParamsMap, names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .filter_map(|name| {
            query.get(name).filter(|value| !value.is_empty()).map(|v| (name.to_string(), v))
        })
        .collect()
}

/// `name=value&…`, each value encoded; empty values left out.
fn query_string(params: &[(String, String)]) -> String {
    params
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", encode_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// How often the page looks again while the worker has changes to complete.
const PENDING_REFRESH: std::time::Duration = std::time::Duration::from_secs(2);

/// Shares between organizations: account shares (Cloudflare, EnableNow) and partner entities.
#[component]
fn OrgShares(
    tab: Signal<String>,
    kind: Signal<String>,
    text: Signal<String>,
    org_page: Signal<i64>,
    list: Signal<ListParams>,
    /// The file shares' list parameters, kept by this table's links and forms.
    file_list: Signal<Vec<(String, String)>>,
) -> impl IntoView {
    let extend = ServerAction::<ExtendShare>::new();
    use_feedback(extend);
    let refresh = RwSignal::new(0_u32);
    let shares = Resource::new(
        move || {
            (
                tab.get(),
                kind.get(),
                text.get(),
                org_page.get(),
                list.get(),
                extend.version().get(),
                refresh.get(),
            )
        },
        |(tab, kind, text, page, list, ..)| {
            org_shares(tab, kind, text, page, list.sort, list.dir, list.status, list.per_page)
        },
    );
    // Transitional statuses (deleting, associating…) change when the worker completes them:
    // look again until none is left, with at most one look scheduled at a time.
    let look_scheduled = StoredValue::new(false);
    Effect::new(move || {
        let pending = shares
            .get()
            .and_then(Result::ok)
            .is_some_and(|view| view.shares.iter().any(|share| share.pending));
        if pending && !look_scheduled.get_value() {
            look_scheduled.set_value(true);
            set_timeout(
                move || {
                    look_scheduled.set_value(false);
                    refresh.update(|n| *n += 1);
                },
                PENDING_REFRESH,
            );
        }
    });
    view! {
        <section class="mt-10" aria-labelledby="org-shares-title">
            <h2 id="org-shares-title" class="text-lg font-semibold">"Between organizations"</h2>
            <p class="mt-1 text-sm text-slate-600">"Resources shared through the Cloudflare and EnableNow APIs, and partner entities."</p>
            <FormError action=extend />
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match shares.await {
                        Err(error) => view! { <ErrorNotice error /> }.into_any(),
                        Ok(view) => {
                            let mut base = filter_params(
                                &tab.get_untracked(),
                                &kind.get_untracked(),
                                &text.get_untracked(),
                            );
                            base.extend(file_list.get_untracked());
                            let query = query_string(&base);
                            let list = list.get_untracked();
                            // Checked by the server function already, which answered.
                            let Ok(choice) = ACCOUNT_SHARE_LIST.parse(&list) else {
                                return ().into_any();
                            };
                            let mut keep = base;
                            keep.push(("sort".to_owned(), list.sort.clone()));
                            keep.push(("dir".to_owned(), list.dir.clone()));
                            view! { <OrgShareTables view received=tab.get_untracked() == "received" query choice keep extend /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn OrgShareTables(
    view: OrgSharesView,
    received: bool,
    query: String,
    choice: ListChoice<AccountShareSort>,
    /// The query parameters the status and page size form keeps.
    keep: Vec<(String, String)>,
    extend: ServerAction<ExtendShare>,
) -> impl IntoView {
    let status = choice.status.map_or_else(String::new, str::to_owned);
    let size = choice.per_page.to_string();
    let filtered = format!("{query}&status={status}&per_page={size}");
    let sort_href = {
        let filtered = filtered.clone();
        Callback::new(move |(key, dir): (&'static str, SortDir)| {
            format!("/shared?{filtered}&sort={key}&dir={}", dir.as_str())
        })
    };
    let sorted = (ACCOUNT_SHARE_LIST.name_of(choice.key), choice.dir);
    let paged = format!(
        "{filtered}&sort={}&dir={}",
        ACCOUNT_SHARE_LIST.name_of(choice.key),
        choice.dir.as_str()
    );
    let link = move |target: i64| format!("/shared?{paged}&opage={target}");
    let previous = (view.page > 1).then(|| link(view.page - 1));
    let next = (view.page < view.pages).then(|| link(view.page + 1));
    let shares = if view.shares.is_empty() && view.with_account_shares {
        view! {
            <EmptyState
                title=if received { "No account shares received" } else { "No account shares sent" }
                hint="Shares made through the Cloudflare and EnableNow APIs appear here, with their status and expiry."
            />
        }
        .into_any()
    } else {
        let columns: &'static [Column] = if received {
            &[
                ("Share", Some("name")),
                ("Via", None),
                ("From", None),
                ("Resources", None),
                ("Status", Some("status")),
                ("Expires", Some("expiry")),
                ("Created", Some("created")),
            ]
        } else {
            &[
                ("Share", Some("name")),
                ("Via", None),
                ("With", None),
                ("Resources", None),
                ("Status", Some("status")),
                ("Expires", Some("expiry")),
                ("Created", Some("created")),
                ("", None),
            ]
        };
        let rows = view
            .shares
            .into_iter()
            .map(|share| view! { <AccountShareLine share received extend /> })
            .collect_view();
        view! {
            <SortedDataTable test_id=if received { "received-account-shares" } else { "sent-account-shares" } columns sorted href=sort_href>{rows}</SortedDataTable>
            <Pager summary=format!("Page {} of {} · {} account shares", view.page, view.pages, view.total) previous next label="Pages of account shares" />
        }
        .into_any()
    };
    let entities = if view.entities.is_empty() {
        view! { <p class="mt-2 text-sm text-slate-500">"No partner entities."</p> }.into_any()
    } else {
        let rows = view
            .entities
            .into_iter()
            .map(|entity| {
                let (counterpart, title) = if received {
                    (entity.sharing_org_name, None)
                } else {
                    let name = entity.partner_org_name.unwrap_or_else(|| entity.partner_org_id.clone());
                    (name, Some(entity.partner_org_id))
                };
                view! {
                    <tr>
                        <td class=TD_CLASSES>
                            <code>{format!("{}/{}", entity.schema, entity.entity_id)}</code>
                            {(!received).then(|| view! {
                                <a
                                    href=crate::pages::access::item_access_path("entity", &entity.entity_id)
                                    class="ml-2 text-xs text-indigo-700 hover:underline"
                                >
                                    "Who has access"
                                </a>
                            })}
                        </td>
                        <td class=TD_CLASSES><span title=title>{counterpart}</span></td>
                        <td class=TD_CLASSES>{if entity.via_offer { "accepted offer" } else { "shared" }}</td>
                        <td class=TD_CLASSES><LocalTime stored=entity.created_at.clone() /></td>
                    </tr>
                }
            })
            .collect_view();
        let headers: &'static [&'static str] = if received {
            &["Entity", "From", "How", "Shared"]
        } else {
            &["Entity", "With partner", "How", "Shared"]
        };
        view! { <DataTable test_id="entity-shares" headers=headers>{rows}</DataTable> }.into_any()
    };
    let controls = view! {
        <ListControls
            label="Filter account shares"
            statuses=ACCOUNT_SHARE_LIST.statuses
            status=choice.status
            per_page=choice.per_page
            keep
            id="account-shares"
        />
    };
    view! {
        {view.with_account_shares.then(|| view! { {controls} <div class="mt-2">{shares}</div> })}
        {view.with_entities.then(|| view! {
            <h3 class="mt-8 text-base font-semibold">"Partner entities"</h3>
            <div class="mt-2">{entities}</div>
        })}
    }
}

#[component]
fn AccountShareLine(
    share: AccountShareRow,
    received: bool,
    extend: ServerAction<ExtendShare>,
) -> impl IntoView {
    let status_class = if share.pending {
        "text-amber-700"
    } else if share.status == "active" {
        "text-green-800"
    } else {
        "text-slate-600"
    };
    let expiry = match (&share.expires_at, &share.time_left) {
        (Some(at), Some(left)) => {
            let soon = share.expires_soon.then(|| {
                view! { " " <span class=BADGE_AMBER_CLASSES>"expires soon"</span> }
            });
            view! { <LocalTime stored=at.clone() />{format!(" ({left})")}{soon} }.into_any()
        }
        _ => "never".into_any(),
    };
    let expiry_class = if share.expired {
        "text-red-700"
    } else if share.expires_soon {
        "font-semibold"
    } else {
        ""
    };
    let detail = format!("/shared/accounts/{}", encode_component(&share.id));
    let actions = (!received).then(|| {
        // Whether the role may extend is part of the row (`can_extend`): a `Can` here, a
        // suspense nested in the table's own, made the page fail to hydrate.
        let form = share.can_extend.then(|| {
            let id = share.id.clone();
            view! {
                <ActionForm action=extend attr:class="inline-flex items-center gap-2">
                    <input type="hidden" name="id" value=id.clone() />
                    <label class="sr-only" for=format!("extend-{id}")>"Extend by days"</label>
                    <select id=format!("extend-{id}") name="days" class=INPUT_CLASSES>
                        <option value="1">"+1 day"</option>
                        <option value="7">"+7 days"</option>
                        <option value="30">"+30 days"</option>
                    </select>
                    <button type="submit" class=SECONDARY_BUTTON_CLASSES>"Extend"</button>
                </ActionForm>
            }
        });
        view! { <td class=format!("{TD_CLASSES} whitespace-nowrap text-right")>{form}</td> }
    });
    view! {
        <tr>
            <td class=TD_CLASSES>
                <a href=detail class="font-medium text-indigo-700 hover:underline break-all" data-testid="account-share-link">{share.name}</a>
            </td>
            <td class=TD_CLASSES>{share.face}</td>
            <td class=TD_CLASSES>{share.counterpart}</td>
            <td class=TD_CLASSES>{share.resources}</td>
            <td class=TD_CLASSES><span class=status_class data-testid="account-share-status">{share.status}</span></td>
            <td class=TD_CLASSES><span class=expiry_class data-testid="account-share-expiry" data-soon=share.expires_soon.to_string()>{expiry}</span></td>
            <td class=TD_CLASSES><LocalTime stored=share.created_at.clone() /></td>
            {actions}
        </tr>
    }
}

#[component]
fn ShareTable(
    page: SharePage,
    received: bool,
    may: RowPermissions,
    revoke: ServerAction<RevokeShare>,
    change: ServerAction<ChangeShareAccess>,
    choice: ListChoice<FileShareSort>,
    /// The rest of the page's query (filter, the account shares' list), kept by every link.
    keep: Vec<(String, String)>,
) -> impl IntoView {
    let columns: &'static [Column] = if received {
        &[
            ("Item", Some("item")),
            ("Kind", None),
            ("From", Some("person")),
            ("Access", Some("access")),
            ("Via", None),
            ("Shared", Some("shared")),
        ]
    } else {
        &[
            ("Item", Some("item")),
            ("Kind", None),
            ("With", Some("person")),
            ("Access", Some("access")),
            ("Via", None),
            ("Shared", Some("shared")),
            ("", None),
        ]
    };
    let links = ListLinks::prefixed(FILE_PREFIX, &FILE_SHARE_LIST, &choice, &query_string(&keep));
    let (previous, next) = links.pages(page.page, page.pages);
    let (sorted, sort_href, keep) = (links.sorted, links.sort_href(), links.keep(keep));
    let rows = page
        .shares
        .into_iter()
        .map(|share| view! { <ShareRow share received may revoke change /> })
        .collect_view();
    view! {
        <ListControls
            label="Page size of file shares"
            statuses=FILE_SHARE_LIST.statuses
            status=None
            per_page=choice.per_page
            keep
            id="file-shares"
            prefix=FILE_PREFIX
        />
        <SortedDataTable test_id=if received { "received-shares" } else { "sent-shares" } columns sorted href=sort_href>{rows}</SortedDataTable>
        <Pager summary=format!("Page {} of {} · {} shares", page.page, page.pages, page.total) previous next label="Pages of shares" />
    }
}

/// What the actor may do to a share of theirs, read once for the whole list.
#[derive(Clone, Copy, Debug, Default)]
struct RowPermissions {
    change: bool,
    revoke: bool,
}

#[component]
fn ShareRow(
    share: PersonShare,
    received: bool,
    may: RowPermissions,
    revoke: ServerAction<RevokeShare>,
    change: ServerAction<ChangeShareAccess>,
) -> impl IntoView {
    let item = share.path.clone().unwrap_or_else(|| share.title.clone());
    let with_self =
        share.recipient.as_ref().is_some_and(|person| person.user_id == share.owner.user_id);
    let counterpart = if with_self {
        "You (shared with yourself)".to_owned()
    } else if received {
        share.owner.username.clone()
    } else {
        share
            .recipient
            .as_ref()
            .map_or_else(|| "anyone with the ticket".to_owned(), |person| person.username.clone())
    };
    let actions = (!received).then(|| {
        let (id, revoke_id) = (share.id.clone(), share.id.clone());
        // The row names the item; the step says who loses what (not repeating the item).
        let item_name = item.clone();
        let who = if with_self {
            "You lose access".to_owned()
        } else {
            format!("{counterpart} loses access")
        };
        let other = if share.access == Access::Read { Access::Write } else { Access::Read };
        view! {
            <td class=format!("{TD_CLASSES} whitespace-nowrap text-right")>
                {may.change.then(|| view! {
                    <ActionForm action=change attr:class="inline">
                        <input type="hidden" name="id" value=id.clone() />
                        <input type="hidden" name="access" value=other.as_str() />
                        <button type="submit" class=SECONDARY_BUTTON_CLASSES>{format!("Make {}", other.as_str())}</button>
                    </ActionForm>
                })}
                {may.revoke.then(|| view! {
                    <span class="ml-2 inline-block">
                        <Confirm
                            action="Revoke…"
                            object=format!("share of {item_name} with {counterpart}")
                            consequence=format!("{who} at once. This cannot be undone.")
                        >
                            <ActionForm action=revoke>
                                <input type="hidden" name="id" value=revoke_id.clone() />
                                <input type="hidden" name="confirm" value="yes" />
                                <button type="submit" class=DANGER_BUTTON_CLASSES>"Revoke the share"</button>
                            </ActionForm>
                        </Confirm>
                    </span>
                })}
            </td>
        }
    });
    view! {
        <tr>
            <td class=TD_CLASSES>
                <code>{item}</code>
                <a
                    href=crate::pages::access::item_access_path(&share.kind, &share.resource_id)
                    class="ml-2 text-xs text-indigo-700 hover:underline"
                >
                    "Who has access"
                </a>
            </td>
            <td class=TD_CLASSES>{share.kind}</td>
            <td class=TD_CLASSES>{counterpart}</td>
            <td class=TD_CLASSES>{share.access.as_str()}</td>
            <td class=TD_CLASSES>{share.face}</td>
            <td class=TD_CLASSES><LocalTime stored=share.created_at.clone() /></td>
            {actions}
        </tr>
    }
}
