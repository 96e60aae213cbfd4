//! Admins managing the people of their org, people changing their own password, and the
//! one-time set-password links.
//!
//! Every write validates its input (and hashes any password, off the runtime) before its
//! transaction starts, and records its audit event in that transaction. Changes that could
//! leave an org without an active admin are decided under the org's row lock, so two admins
//! demoting each other at once cannot both succeed.

use serde_json::json;

use super::users::{
    AddedUser, PasswordLink, UserPage, UserSummary, MAX_PAGE, PASSWORD_LINK_HOURS, USERS_PER_PAGE,
};
use super::{password, token_secret, Actor, Email, Face, Password, Role, Username};
use crate::domain::audit::service::{record, Author, Change};
use crate::domain::authz::Operation;
use crate::domain::ids::UserId;
use crate::domain::listing::{ListChoice, ListParams, SortDir, UserSort, USER_LIST};
use crate::domain::store::{identity as identity_store, users as store, Store};
use crate::domain::{clock, DomainError};

/// What an admin gives to add a user to their org.
pub struct NewOrgUser<'a> {
    pub username: &'a str,
    pub email: &'a str,
    pub role: Role,
    /// The initial password; without one, the result carries a one-time set-password link.
    pub password: Option<&'a str>,
}

/// What an admin changes about a user; `None` leaves it as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct UserChange {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// The org's users, a page at a time (pages count from 1), oldest first. Admins and auditors.
pub async fn list_users(
    store: &Store,
    actor: &Actor,
    page: usize,
) -> Result<UserPage, DomainError> {
    let choice = USER_LIST.parse(&ListParams::default())?;
    list_users_by(store, actor, page, &choice).await
}

/// The org's users in the order, status and page size the list page asked for (checked by
/// [`USER_LIST`]).
pub async fn list_users_by(
    store: &Store,
    actor: &Actor,
    page: usize,
    choice: &ListChoice<UserSort>,
) -> Result<UserPage, DomainError> {
    actor.require(Operation::UsersRead)?;
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(DomainError::invalid("page", format!("must be 1 to {MAX_PAGE}")));
    }
    let active = choice.status.map(|status| status == "active");
    let per_page = usize::try_from(choice.per_page).unwrap_or(USERS_PER_PAGE).max(1);
    let total = store::count_users(store.pool(), actor.org_id, active).await?;
    let total = usize::try_from(total).unwrap_or_default();
    let pages = total.div_ceil(per_page).max(1);
    // Both fit: page <= MAX_PAGE keeps the offset far below i64::MAX.
    let offset = ((page - 1) * per_page) as i64;
    let order = match choice.key {
        UserSort::Created => store::UserOrder::Created,
        UserSort::Name => store::UserOrder::Name,
        UserSort::Status => store::UserOrder::Status,
    };
    let descending = choice.dir == SortDir::Desc;
    let users = store::users_of_org(
        store.pool(),
        actor.org_id,
        (order, descending, active),
        per_page as i64,
        offset,
    )
    .await?;
    Ok(UserPage { users, page, pages, total })
}

/// One user of the actor's org. Admins only; another org's user is "not found".
pub async fn get_user(
    store: &Store,
    actor: &Actor,
    user_id: UserId,
) -> Result<UserSummary, DomainError> {
    actor.require(Operation::UsersRead)?;
    store::user_in_org(store.pool(), actor.org_id, user_id).await?.ok_or(NOT_FOUND)
}

/// Adds a user to the actor's org, with an initial password or, without one, a one-time
/// set-password link (in the result, and nowhere else).
pub async fn add_user(
    store: &Store,
    actor: &Actor,
    face: Face,
    new: NewOrgUser<'_>,
) -> Result<AddedUser, DomainError> {
    actor.require(Operation::UsersChange)?;
    let username = Username::parse(new.username)?;
    let email = Email::parse(new.email)?;
    let initial = new.password.map(Password::parse).transpose()?;
    // Without an initial password the account gets one nobody knows, so that signing in as
    // it costs the same argon2 work as any wrong password, until the link sets a real one.
    let password = match initial.as_ref() {
        Some(password) => password::hash(password).await?,
        None => password::hash(&Password::parse(&token_secret::random_url_safe()?)?).await?,
    };
    let link = match initial {
        Some(_) => None,
        None => Some(LinkSecret::generate()?),
    };
    let user_id = UserId::new();
    let now = clock::now();

    let mut transaction = store.begin_write().await?;
    match identity_store::username_or_email_taken(
        &mut *transaction,
        username.as_str(),
        email.as_str(),
    )
    .await?
    {
        (true, _) => return Err(DomainError::invalid("username", "is already taken")),
        (_, true) => return Err(DomainError::invalid("email", "is already in use")),
        _ => {}
    }
    let row = identity_store::NewUserRow {
        id: user_id,
        org_id: actor.org_id,
        username: username.as_str(),
        email: email.as_str(),
        role: new.role,
        password_hash: &password,
        created_at: &now,
    };
    identity_store::insert_user(&mut *transaction, &row).await.map_err(taken_on_race)?;
    let link = match link {
        Some(secret) => Some(secret.store(&mut transaction, user_id, username.as_str()).await?),
        None => None,
    };
    let detail = json!({
        "username": username.as_str(),
        "email": email.as_str(),
        "role": new.role,
        "password": if link.is_some() { "link" } else { "set" },
    });
    record(
        &mut transaction,
        Author::User(actor),
        face,
        user_change(user_id, actor, "user.created", detail),
    )
    .await?;
    let user =
        store::user_in_org(&mut *transaction, actor.org_id, user_id).await?.ok_or(NOT_FOUND)?;
    transaction.commit().await?;
    Ok(AddedUser { user, link })
}

/// Changes a user's role and/or whether they are active. The org's last active admin can be
/// neither demoted nor deactivated. A deactivated user's sessions and tokens are refused from
/// the next request on (every request reads the user afresh); reactivating restores them.
pub async fn update_user(
    store: &Store,
    actor: &Actor,
    face: Face,
    user_id: UserId,
    change: UserChange,
) -> Result<UserSummary, DomainError> {
    actor.require(Operation::UsersChange)?;
    let now = clock::now();

    let mut transaction = store.begin_write().await?;
    store::lock_org(&mut *transaction, actor.org_id).await?;
    // Under the lock, the actor's own standing is read again: another admin may have demoted
    // or deactivated them a moment ago.
    let current = identity_store::active_actor_by_user_id(&mut *transaction, actor.user_id)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    current.require(Operation::UsersChange)?;
    let user =
        store::user_in_org(&mut *transaction, actor.org_id, user_id).await?.ok_or(NOT_FOUND)?;
    let role = change.role.unwrap_or(user.role);
    let active = change.active.unwrap_or(user.active);
    let loses_admin = user.role == Role::Admin && user.active && (role != Role::Admin || !active);
    if loses_admin
        && store::other_active_admins(&mut *transaction, actor.org_id, user_id).await? == 0
    {
        return Err(DomainError::Conflict(format!(
            "{} is the last active admin of the org: make another user an admin first",
            user.username
        )));
    }
    if role != user.role {
        store::set_role(&mut *transaction, user_id, role).await?;
        let detail = json!({ "username": user.username, "from": user.role, "to": role });
        record(
            &mut transaction,
            Author::User(actor),
            face,
            user_change(user_id, actor, "user.role_changed", detail),
        )
        .await?;
    }
    if active != user.active {
        let (deactivated_at, action) = if active {
            (None, "user.reactivated")
        } else {
            (Some(now.as_str()), "user.deactivated")
        };
        store::set_deactivated(&mut *transaction, user_id, deactivated_at).await?;
        let detail = json!({ "username": user.username });
        record(
            &mut transaction,
            Author::User(actor),
            face,
            user_change(user_id, actor, action, detail),
        )
        .await?;
    }
    let user =
        store::user_in_org(&mut *transaction, actor.org_id, user_id).await?.ok_or(NOT_FOUND)?;
    transaction.commit().await?;
    // A cached token of this user must not keep the old role, or work while deactivated.
    store.caches().forget_actors();
    Ok(user)
}

/// Resets a user's password: to the one given, or (without one) by issuing a new one-time
/// set-password link, returned here and nowhere else. Either way older links stop working.
/// The old password keeps working until a link is used; a password given here replaces it.
pub async fn reset_password(
    store: &Store,
    actor: &Actor,
    face: Face,
    user_id: UserId,
    new_password: Option<&str>,
) -> Result<Option<PasswordLink>, DomainError> {
    actor.require(Operation::UsersChange)?;
    let password = match new_password.map(Password::parse).transpose()? {
        Some(password) => Some(password::hash(&password).await?),
        None => None,
    };
    let secret = match password {
        Some(_) => None,
        None => Some(LinkSecret::generate()?),
    };
    let now = clock::now();

    let mut transaction = store.begin_write().await?;
    let user =
        store::user_in_org(&mut *transaction, actor.org_id, user_id).await?.ok_or(NOT_FOUND)?;
    store::lock_user(&mut *transaction, user_id).await?;
    store::retire_links(&mut *transaction, user_id, &now).await?;
    if let Some(password) = &password {
        store::set_password_hash(&mut *transaction, user_id, password).await?;
    }
    let link = match secret {
        Some(secret) => Some(secret.store(&mut transaction, user_id, &user.username).await?),
        None => None,
    };
    let detail = json!({
        "username": user.username,
        "method": if link.is_some() { "link" } else { "password" },
    });
    record(
        &mut transaction,
        Author::User(actor),
        face,
        user_change(user_id, actor, "user.password_reset", detail),
    )
    .await?;
    transaction.commit().await?;
    Ok(link)
}

/// The actor changes their own password, proving they know the current one.
pub async fn change_own_password(
    store: &Store,
    actor: &Actor,
    face: Face,
    current_password: &str,
    new_password: &str,
) -> Result<(), DomainError> {
    actor.require(Operation::OwnPasswordChange)?;
    let new_password =
        Password::parse(new_password).map_err(|error| rename_field(error, "new_password"))?;
    let stored = store::password_hash(store.pool(), actor.user_id)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if !password::verify(current_password, Some(stored)).await? {
        return Err(DomainError::invalid("current_password", "is not your current password"));
    }
    let hash = password::hash(&new_password).await?;

    let mut transaction = store.begin_write().await?;
    store::set_password_hash(&mut *transaction, actor.user_id, &hash).await?;
    store::retire_links(&mut *transaction, actor.user_id, &clock::now()).await?;
    let detail = json!({ "username": actor.username });
    record(
        &mut transaction,
        Author::User(actor),
        face,
        user_change(actor.user_id, actor, "user.password_changed", detail),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Whose a set-password link is, while it is live (unused, unexpired, for an active user);
/// otherwise "not found", whatever the reason.
pub async fn password_link_username(store: &Store, secret: &str) -> Result<String, DomainError> {
    let user_id = store::live_link_user(store.pool(), &token_secret::digest(secret), &clock::now())
        .await?
        .ok_or(LINK_NOT_FOUND)?;
    let actor =
        identity_store::actor_by_user_id(store.pool(), user_id).await?.ok_or(LINK_NOT_FOUND)?;
    Ok(actor.username)
}

/// Sets a password through a one-time link, using the link up. A used, expired, retired or
/// unknown link, or one for a deactivated user, is "not found" and changes nothing.
pub async fn set_password_with_link(
    store: &Store,
    secret: &str,
    new_password: &str,
) -> Result<Actor, DomainError> {
    let new_password = Password::parse(new_password)?;
    let hash = password::hash(&new_password).await?;
    let now = clock::now();

    let mut transaction = store.begin_write().await?;
    let user_id = store::use_link(&mut *transaction, &token_secret::digest(secret), &now)
        .await?
        .ok_or(LINK_NOT_FOUND)?;
    let actor = identity_store::active_actor_by_user_id(&mut *transaction, user_id)
        .await?
        .ok_or(LINK_NOT_FOUND)?;
    store::set_password_hash(&mut *transaction, user_id, &hash).await?;
    let detail = json!({ "username": actor.username });
    record(
        &mut transaction,
        Author::User(&actor),
        Face::Web,
        user_change(user_id, &actor, "user.password_set", detail),
    )
    .await?;
    transaction.commit().await?;
    Ok(actor)
}

const NOT_FOUND: DomainError = DomainError::NotFound("user");
const LINK_NOT_FOUND: DomainError = DomainError::NotFound("set-password link");

fn user_change(
    user_id: UserId,
    actor: &Actor,
    action: &'static str,
    detail: serde_json::Value,
) -> Change {
    Change {
        org_id: actor.org_id,
        action,
        object_type: "user",
        object_id: user_id.to_string(),
        detail,
    }
}

/// A new password's rule broken, named after the field the person typed it in.
fn rename_field(error: DomainError, field: &str) -> DomainError {
    match error {
        DomainError::Invalid { message, .. } => DomainError::invalid(field, message),
        other => other,
    }
}

/// Two admins adding the same username at once on PostgreSQL: the loser meets the unique
/// constraint, which is the same answer as the check before it.
fn taken_on_race(error: DomainError) -> DomainError {
    let unique = match &error {
        DomainError::Internal(cause) => cause
            .downcast_ref::<sqlx::Error>()
            .and_then(|error| error.as_database_error())
            .is_some_and(|error| error.is_unique_violation()),
        _ => false,
    };
    if unique {
        DomainError::Conflict("a user with this username or email already exists".to_owned())
    } else {
        error
    }
}

/// A fresh link secret: 256 random bits, of which only the SHA-256 is stored.
struct LinkSecret(String);

impl LinkSecret {
    fn generate() -> Result<Self, DomainError> {
        Ok(Self(token_secret::random_url_safe()?))
    }

    /// Stores the link (retiring the user's older ones) and returns what is shown once.
    async fn store(
        self,
        transaction: &mut sqlx::AnyConnection,
        user_id: UserId,
        username: &str,
    ) -> Result<PasswordLink, DomainError> {
        let now = clock::now();
        let expires_at = clock::now_plus(time::Duration::hours(PASSWORD_LINK_HOURS));
        store::lock_user(&mut *transaction, user_id).await?;
        store::retire_links(&mut *transaction, user_id, &now).await?;
        let row = store::NewLinkRow {
            id: uuid::Uuid::now_v7().to_string(),
            user_id,
            secret_hash: &token_secret::digest(&self.0),
            created_at: &now,
            expires_at: &expires_at,
        };
        store::insert_link(&mut *transaction, &row).await?;
        Ok(PasswordLink {
            username: username.to_owned(),
            path: PasswordLink::path_for(&self.0),
            expires_at,
        })
    }
}
