//! Identity services: creating orgs and users (operator), signing in, API tokens.

use serde_json::json;

use super::{
    parse_token_name, password, token_secret, Actor, Email, Face, NewToken, Org, Password, Role,
    TokenScope, TokenSummary, Username,
};
use crate::domain::audit::service::{record, Author, Change};
use crate::domain::authz::Operation;
use crate::domain::ids::{OrgId, TokenId, UserId};
use crate::domain::store::{identity as store, users as users_store, Store};
use crate::domain::{clock, DomainError};

/// A token's last use is written at most this often.
const TOKEN_TOUCH_INTERVAL: time::Duration = time::Duration::minutes(1);

/// Creates an org, optionally under a parent org (making the parent an organization tree).
pub async fn create_org(
    store: &Store,
    name: &str,
    parent_id: Option<OrgId>,
) -> Result<Org, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(DomainError::invalid("name", "must be 1 to 200 characters"));
    }
    let org = Org { id: OrgId::new(), name: name.to_owned(), parent_id, created_at: clock::now() };

    let mut transaction = store.begin_write().await?;
    if let Some(parent_id) = parent_id {
        if !store::org_exists(&mut *transaction, parent_id).await? {
            return Err(DomainError::NotFound("parent org"));
        }
    }
    store::insert_org(&mut *transaction, &org).await?;
    let change = Change {
        org_id: org.id,
        action: "org.created",
        object_type: "org",
        object_id: org.id.to_string(),
        detail: json!({ "name": org.name, "parent_id": parent_id }),
    };
    record(&mut transaction, Author::Operator, Face::Cli, change).await?;
    transaction.commit().await?;
    Ok(org)
}

/// What an operator gives to create a user.
pub struct NewUser<'a> {
    pub org_id: OrgId,
    pub username: &'a str,
    pub email: &'a str,
    pub password: &'a str,
    pub role: Role,
}

/// Creates a user in an existing org. Usernames and emails are unique across Sharewell.
pub async fn create_user(store: &Store, new: NewUser<'_>) -> Result<Actor, DomainError> {
    let username = Username::parse(new.username)?;
    let email = Email::parse(new.email)?;
    let password = Password::parse(new.password)?;
    let password_hash = password::hash(&password).await?;
    let user_id = UserId::new();
    let created_at = clock::now();

    let mut transaction = store.begin_write().await?;
    if !store::org_exists(&mut *transaction, new.org_id).await? {
        return Err(DomainError::NotFound("org"));
    }
    match store::username_or_email_taken(&mut *transaction, username.as_str(), email.as_str())
        .await?
    {
        (true, _) => return Err(DomainError::invalid("username", "is already taken")),
        (_, true) => return Err(DomainError::invalid("email", "is already in use")),
        _ => {}
    }
    let row = store::NewUserRow {
        id: user_id,
        org_id: new.org_id,
        username: username.as_str(),
        email: email.as_str(),
        role: new.role,
        password_hash: &password_hash,
        created_at: &created_at,
    };
    store::insert_user(&mut *transaction, &row).await?;
    let change = Change {
        org_id: new.org_id,
        action: "user.created",
        object_type: "user",
        object_id: user_id.to_string(),
        detail: json!({ "username": username.as_str(), "email": email.as_str(), "role": new.role }),
    };
    record(&mut transaction, Author::Operator, Face::Cli, change).await?;
    let actor = store::actor_by_user_id(&mut *transaction, user_id)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    transaction.commit().await?;
    Ok(actor)
}

/// Checks a username and password. Unknown users cost the same argon2 work as known ones
/// and get the same error, so neither timing nor message tells which usernames exist.
pub async fn sign_in(
    store: &Store,
    username: &str,
    password: &str,
    face: Face,
) -> Result<Actor, DomainError> {
    let record_for_login = match Username::parse(username) {
        Ok(username) => store::login_record(store.pool(), username.as_str()).await?,
        Err(_) => None,
    };
    let (user_id, stored_hash) = match record_for_login {
        Some((user_id, hash)) => (Some(user_id), Some(hash)),
        None => (None, None),
    };
    if !password::verify(password, stored_hash).await? {
        return Err(DomainError::InvalidCredentials);
    }
    let user_id = user_id.ok_or(DomainError::InvalidCredentials)?;

    let mut transaction = store.begin_write().await?;
    let actor = store::active_actor_by_user_id(&mut *transaction, user_id)
        .await?
        .ok_or(DomainError::InvalidCredentials)?;
    crate::domain::store::users::record_sign_in(&mut *transaction, user_id, &clock::now()).await?;
    let change = Change {
        org_id: actor.org_id,
        action: "user.signed_in",
        object_type: "user",
        object_id: actor.user_id.to_string(),
        detail: json!({}),
    };
    record(&mut transaction, Author::User(&actor), face, change).await?;
    transaction.commit().await?;
    Ok(actor)
}

/// The actor behind a browser session, read afresh on every request: a user deactivated (or
/// deleted) since signing in is refused at once, and a changed role applies at once.
pub async fn actor_for_user(store: &Store, user_id: UserId) -> Result<Actor, DomainError> {
    store::active_actor_by_user_id(store.pool(), user_id).await?.ok_or(DomainError::Unauthenticated)
}

/// The actor behind an API token secret, narrowed as the token says. Unknown, revoked and
/// expired tokens, and the tokens of a deactivated user, are refused alike.
pub async fn actor_for_token(store: &Store, secret: &str) -> Result<Actor, DomainError> {
    if !secret.starts_with(token_secret::PREFIX) {
        return Err(DomainError::Unauthenticated);
    }
    let digest = token_secret::digest(secret);
    let now = clock::now();
    if let Some(actor) = store.caches().actor(&digest, &now) {
        return Ok(actor);
    }
    let generation = store.caches().generation();
    let (token_id, last_used_at, actor) = store::actor_by_token_hash(store.pool(), &digest, &now)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    // Only a stale record is written: on SQLite even an UPDATE that changes no row waits for
    // the write lock, which would make every authenticated read queue behind the writers.
    let stale_before = clock::now_plus(-TOKEN_TOUCH_INTERVAL);
    if last_used_at.is_none_or(|used| used < stale_before) {
        store::touch_token(store.pool(), token_id, &clock::now(), &stale_before).await?;
    }
    store.caches().remember_actor(digest, actor.clone(), generation);
    Ok(actor)
}

/// Creates an API token for the actor; the secret is in the result and nowhere else. A token
/// is never wider than what created it: a `readonly` user's tokens are read-only, a read-only
/// token creates none, and a token made through an expiring token expires no later.
pub async fn create_token(
    store: &Store,
    actor: &Actor,
    face: Face,
    name: &str,
    scope: TokenScope,
) -> Result<NewToken, DomainError> {
    actor.require(Operation::OwnTokenCreate)?;
    let name = parse_token_name(name)?;
    let mut scope = scope.checked()?;
    scope.read_only |= actor.role == Role::ReadOnly;
    let mut expires_at =
        scope.expires_in_days.map(|days| clock::now_plus(time::Duration::days(days)));
    if let Some(limit) = &actor.token_expires_at {
        expires_at = Some(expires_at.map_or_else(|| limit.clone(), |own| own.min(limit.clone())));
    }
    let mut transaction = store.begin_write().await?;
    let new_token =
        insert_token(&mut transaction, actor.user_id, name, scope.read_only, expires_at).await?;
    let change = token_change(actor, "token.created", &new_token.token);
    record(&mut transaction, Author::User(actor), face, change).await?;
    transaction.commit().await?;
    Ok(new_token)
}

/// Creates an API token for a user by name, for an operator at the command line.
pub async fn create_token_for_username(
    store: &Store,
    username: &str,
    name: &str,
    scope: TokenScope,
) -> Result<NewToken, DomainError> {
    let username = Username::parse(username)?;
    let name = parse_token_name(name)?;
    let scope = scope.checked()?;
    let expires_at = scope.expires_in_days.map(|days| clock::now_plus(time::Duration::days(days)));
    let mut transaction = store.begin_write().await?;
    let user_id = store::user_id_by_username(&mut *transaction, username.as_str())
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let owner = store::actor_by_user_id(&mut *transaction, user_id)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let read_only = scope.read_only || owner.role == Role::ReadOnly;
    let new_token = insert_token(&mut transaction, user_id, name, read_only, expires_at).await?;
    let change = token_change(&owner, "token.created", &new_token.token);
    record(&mut transaction, Author::Operator, Face::Cli, change).await?;
    transaction.commit().await?;
    Ok(new_token)
}

/// The actor's own tokens, newest first, revoked ones included.
pub async fn list_tokens(store: &Store, actor: &Actor) -> Result<Vec<TokenSummary>, DomainError> {
    actor.require(Operation::OwnTokensRead)?;
    store::tokens_of_user(store.pool(), actor.user_id, &clock::now()).await
}

/// The tokens of `owner`: the actor's own, or, for an admin or auditor, those of another user
/// of the org (a user of another org is "not found").
pub async fn list_user_tokens(
    store: &Store,
    actor: &Actor,
    owner: UserId,
) -> Result<Vec<TokenSummary>, DomainError> {
    if owner == actor.user_id {
        return list_tokens(store, actor).await;
    }
    actor.require(Operation::OthersTokensRead)?;
    users_store::user_in_org(store.pool(), actor.org_id, owner)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    store::tokens_of_user(store.pool(), owner, &clock::now()).await
}

/// Revokes one of the actor's own live tokens; anything else is "not found".
pub async fn revoke_token(
    store: &Store,
    actor: &Actor,
    face: Face,
    token_id: TokenId,
) -> Result<(), DomainError> {
    revoke_user_token(store, actor, face, actor.user_id, token_id).await
}

/// Revokes a live token of `owner`: the actor's own, or, for an admin, another user's of the
/// org. A token that is not there, not live, or not that user's is "not found".
pub async fn revoke_user_token(
    store: &Store,
    actor: &Actor,
    face: Face,
    owner: UserId,
    token_id: TokenId,
) -> Result<(), DomainError> {
    let own = owner == actor.user_id;
    actor.require(if own { Operation::OwnTokenRevoke } else { Operation::OthersTokensRevoke })?;
    let mut transaction = store.begin_write().await?;
    let owner_name = if own {
        actor.username.clone()
    } else {
        users_store::user_in_org(&mut *transaction, actor.org_id, owner)
            .await?
            .ok_or(DomainError::NotFound("token"))?
            .username
    };
    if !store::revoke_token(&mut *transaction, owner, token_id, &clock::now()).await? {
        return Err(DomainError::NotFound("token"));
    }
    let change = Change {
        org_id: actor.org_id,
        action: "token.revoked",
        object_type: "token",
        object_id: token_id.to_string(),
        detail: json!({ "owner": owner_name }),
    };
    record(&mut transaction, Author::User(actor), face, change).await?;
    transaction.commit().await?;
    store.caches().forget_actors();
    Ok(())
}

async fn insert_token(
    transaction: &mut sqlx::AnyConnection,
    user_id: UserId,
    name: String,
    read_only: bool,
    expires_at: Option<String>,
) -> Result<NewToken, DomainError> {
    let secret = token_secret::generate()?;
    let token = TokenSummary {
        id: TokenId::new(),
        name,
        created_at: clock::now(),
        last_used_at: None,
        revoked_at: None,
        read_only,
        expires_at,
        expired: false,
    };
    let row = store::NewTokenRow {
        summary: &token,
        user_id,
        secret_hash: &token_secret::digest(&secret),
    };
    store::insert_token(&mut *transaction, &row).await?;
    Ok(NewToken { token, secret })
}

fn token_change(owner: &Actor, action: &'static str, token: &TokenSummary) -> Change {
    Change {
        org_id: owner.org_id,
        action,
        object_type: "token",
        object_id: token.id.to_string(),
        detail: json!({
            "name": token.name,
            "owner": owner.username,
            "read_only": token.read_only,
            "expires_at": token.expires_at,
        }),
    }
}
