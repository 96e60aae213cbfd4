use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::{use_feedback, Confirm};
use crate::components::list::{refuse_unknown_list_params, use_list_params, ListLinks};
use crate::components::ui::{
    short_time, EmptyState, ErrorNotice, FormError, ListControls, LocalTime, PageHeader, Pager,
    BADGE_GREEN_CLASSES, BADGE_GREY_CLASSES, BUTTON_CLASSES, CARD_CLASSES, DANGER_BUTTON_CLASSES,
    INPUT_CLASSES, LABEL_CLASSES, SECONDARY_BUTTON_CLASSES,
};
use crate::domain::identity::users::{PasswordLink, UserPage, UserSummary};
use crate::domain::identity::{Password, Role};
use crate::domain::listing::{ListChoice, SortDir, UserSort, USER_LIST};
use crate::server_fns::users::{
    list_users, take_password_link, AddUser, ChangeUserRole, ResetUserPassword, SetUserActive,
};

/// The actions of one page, handed to every row.
#[derive(Clone, Copy)]
struct Actions {
    role: ServerAction<ChangeUserRole>,
    active: ServerAction<SetUserActive>,
    reset: ServerAction<ResetUserPassword>,
}

/// The org's people, for its admins: add (with a password or a one-time link), change role,
/// deactivate or reactivate, and reset a password. Rows are cards, not a table, so that the
/// page never scrolls sideways on a phone.
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || query.read().get("page").unwrap_or_default();
    let list_params = use_list_params();
    refuse_unknown_list_params(&USER_LIST, &list_params());
    let add = ServerAction::<AddUser>::new();
    let actions = Actions {
        role: ServerAction::new(),
        active: ServerAction::new(),
        reset: ServerAction::new(),
    };
    let users = Resource::new(
        move || {
            (
                page(),
                list_params(),
                add.version().get(),
                actions.role.version().get(),
                actions.active.version().get(),
                actions.reset.version().get(),
            )
        },
        |(page, list, ..)| list_users(page, list.sort, list.dir, list.status, list.per_page),
    );
    // A link made by a form posted without JavaScript comes back through the session.
    let kept_link = Resource::new(|| (), |_| take_password_link());
    use_feedback(add);
    use_feedback(actions.role);
    use_feedback(actions.active);
    use_feedback(actions.reset);

    view! {
        <Title text="Users" />
        <PageHeader
            title="Users"
            summary="The people of your organisation: who may sign in, and as what."
        />
        <AddUserForm add />
        {move || match add.value().get() {
            Some(Ok(added)) => added.link.map(|link| view! { <LinkNotice link /> }),
            _ => None,
        }}
        {move || actions.reset.value().get().and_then(Result::ok).map(|link| view! { <LinkNotice link /> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                kept_link.await.ok().flatten().map(|link| view! { <LinkNotice link /> })
            })}
        </Suspense>
        <FormError action=actions.role />
        <FormError action=actions.active />
        <FormError action=actions.reset />
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(error) => view! { <ErrorNotice error /> }.into_any(),
                    Ok(page) => {
                        let Ok(choice) = USER_LIST.parse(&list_params()) else {
                            return ().into_any();
                        };
                        view! { <UserList page choice actions /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn AddUserForm(add: ServerAction<AddUser>) -> impl IntoView {
    view! {
        <section class=format!("{CARD_CLASSES} mb-6")>
            <h2 class="text-base font-semibold">"Add a user"</h2>
            <ActionForm action=add attr:class="mt-3 grid gap-3 sm:grid-cols-2">
                <div>
                    <label for="new-username" class=LABEL_CLASSES>"Username"</label>
                    <input id="new-username" name="username" required minlength="3" maxlength="32" autocomplete="off" class=format!("{INPUT_CLASSES} mt-1") />
                </div>
                <div>
                    <label for="new-email" class=LABEL_CLASSES>"Email"</label>
                    <input id="new-email" name="email" type="email" required autocomplete="off" class=format!("{INPUT_CLASSES} mt-1") />
                </div>
                <div>
                    <label for="new-role" class=LABEL_CLASSES>"Role"</label>
                    <select id="new-role" name="role" class=format!("{INPUT_CLASSES} mt-1")>
                        {Role::ALL.into_iter().map(|role| view! {
                            <option value=role.as_str() selected=role == Role::Member>{role.as_str()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="new-password" class=LABEL_CLASSES>"Initial password (optional)"</label>
                    <input id="new-password" name="password" type="password" autocomplete="new-password" class=format!("{INPUT_CLASSES} mt-1") />
                    <p class="mt-1 text-xs text-slate-500">
                        {format!("At least {} characters. Leave it empty to get a one-time link instead, with which they set their own.", Password::MIN_LENGTH)}
                    </p>
                </div>
                <div class="sm:col-span-2">
                    <button type="submit" class=BUTTON_CLASSES disabled=move || add.pending().get()>
                        {move || if add.pending().get() { "Adding…" } else { "Add user" }}
                    </button>
                </div>
            </ActionForm>
            <FormError action=add />
        </section>
    }
}

/// A one-time set-password link, shown once.
#[component]
fn LinkNotice(link: PasswordLink) -> impl IntoView {
    let (href, text) = (link.path.clone(), link.path);
    let until = short_time(&link.expires_at);
    view! {
        <div role="status" class="mb-6 rounded-md border border-green-200 bg-green-50 p-3 text-sm">
            <p class="font-medium text-green-900">
                "Set-password link for " {link.username} ". Send it to them now: it will not be shown again. It works once, until " {until} "."
            </p>
            <a
                href=href
                data-testid="new-password-link"
                class="mt-2 block select-all break-all rounded bg-white px-2 py-1 font-mono text-slate-900"
            >
                {text}
            </a>
        </div>
    }
}

#[component]
fn UserList(page: UserPage, choice: ListChoice<UserSort>, actions: Actions) -> impl IntoView {
    let links = ListLinks::new(&USER_LIST, &choice, "");
    let (previous, next) = links.pages(page.page, page.pages);
    let (sorted, sort_href) = (links.sorted.0, links.sort_href());
    // The list is of cards, not a table: the sort is a row of links, the current one marked.
    let sort_links = USER_LIST
        .keys
        .iter()
        .map(|(key, _, start)| {
            let current = *key == sorted;
            let dir = if current { choice.dir.flipped() } else { *start };
            let mark = match (current, choice.dir) {
                (false, _) => "",
                (true, SortDir::Asc) => " ▲",
                (true, SortDir::Desc) => " ▼",
            };
            let label = match *key {
                "name" => "Name",
                "status" => "Status",
                _ => "Added",
            };
            view! {
                <a
                    href=sort_href.run((*key, dir))
                    aria-current=current.then_some("true")
                    data-sort=*key
                    class=if current { "font-semibold text-indigo-800 underline" } else { "text-indigo-700 hover:underline" }
                >
                    {label}<span aria-hidden="true">{mark}</span>
                    {current.then(|| view! { <span class="sr-only">{format!(" (sorted {})", choice.dir.aria())}</span> })}
                </a>
            }
        })
        .collect_view();
    let keep = links.keep(Vec::new());
    view! {
        <div class="flex flex-wrap items-end justify-between gap-3">
            <nav aria-label="Sort users" class="my-3 flex flex-wrap gap-4 text-sm">
                <span class="text-slate-600">"Sort by:"</span>
                {sort_links}
            </nav>
            <ListControls label="Filter users" statuses=USER_LIST.statuses status=choice.status per_page=choice.per_page keep id="users" />
        </div>
        {page.users.is_empty().then(|| view! {
            <EmptyState title="No users on this page" hint="Go back to the first page, change the filter, or add a user above." />
        })}
        <ul class="space-y-3" data-testid="user-list">
            {page.users.into_iter().map(|user| view! { <UserCard user actions /> }).collect_view()}
        </ul>
        <Pager summary=format!("Page {} of {} · {} users", page.page, page.pages, page.total) previous next />
    }
}

#[component]
fn UserCard(user: UserSummary, actions: Actions) -> impl IntoView {
    let id = user.id.to_string();
    let name = &user.username;
    // ActionForm takes its children as a closure that owns what it uses: one value each.
    let (role_id, reset_id, active_id) = (id.clone(), id.clone(), id.clone());
    let role_select = format!("role-{id}");
    let role_label = format!("Role of {name}");
    let save_label = format!("Save the role of {name}");
    let reset_label = format!("Reset password of {name}");
    let question = format!(
        "Deactivate {name}? They are signed out and their API tokens stop working at once."
    );
    let confirm_label = format!("Deactivate {name}");
    let object = name.clone();
    let reactivate_label = format!("Reactivate {name}");
    let current_role = user.role;
    let last = match user.last_sign_in_at.clone() {
        Some(at) => view! { <LocalTime stored=at /> }.into_any(),
        None => "never".into_any(),
    };
    view! {
        <li class=format!("{CARD_CLASSES} flex flex-col gap-3 md:flex-row md:items-start md:justify-between")>
            <div class="min-w-0">
                <p class="flex flex-wrap items-center gap-2">
                    <a href=format!("/users/{}", user.id) class="font-medium break-all text-indigo-700 hover:underline" data-testid="person-link">{user.username.clone()}</a>
                    <span class=BADGE_GREY_CLASSES>{user.role.as_str()}</span>
                    {if user.active {
                        view! { <span class=BADGE_GREEN_CLASSES>"active"</span> }.into_any()
                    } else {
                        view! { <span class=BADGE_GREY_CLASSES>"deactivated"</span> }.into_any()
                    }}
                </p>
                <p class="text-sm text-slate-600 break-all">{user.email.clone()}</p>
                <p class="text-xs text-slate-500">
                    "Added " <LocalTime stored=user.created_at.clone() /> " · last sign-in " {last}
                </p>
            </div>
            <div class="flex flex-wrap items-start gap-2">
                <ActionForm action=actions.role attr:class="flex items-center gap-2">
                    <input type="hidden" name="id" value=role_id />
                    <label class="sr-only" for=role_select.clone()>{role_label}</label>
                    <select id=role_select name="role" class="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm">
                        {Role::ALL.into_iter().map(|role| view! {
                            <option value=role.as_str() selected=role == current_role>{role.as_str()}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class=SECONDARY_BUTTON_CLASSES aria-label=save_label>"Save"</button>
                </ActionForm>
                <ActionForm action=actions.reset>
                    <input type="hidden" name="id" value=reset_id />
                    <button type="submit" class=SECONDARY_BUTTON_CLASSES aria-label=reset_label>"Reset password"</button>
                </ActionForm>
                {if user.active {
                    view! {
                        <Confirm action="Deactivate…" object consequence=question>
                            <ActionForm action=actions.active>
                                <input type="hidden" name="id" value=active_id />
                                <input type="hidden" name="active" value="false" />
                                <button type="submit" class=DANGER_BUTTON_CLASSES aria-label=confirm_label>"Deactivate"</button>
                            </ActionForm>
                        </Confirm>
                    }.into_any()
                } else {
                    view! {
                        <ActionForm action=actions.active>
                            <input type="hidden" name="id" value=active_id />
                            <input type="hidden" name="active" value="true" />
                            <button type="submit" class=BUTTON_CLASSES aria-label=reactivate_label>"Reactivate"</button>
                        </ActionForm>
                    }.into_any()
                }}
            </div>
        </li>
    }
}
