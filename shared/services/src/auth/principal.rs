use super::{AdminClaims, ApiKeyRecord, Scope};
use crate::model::Actor;
use crate::types::ProgramId;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub enum Principal {
    ApiKey(ApiKeyRecord),
    Admin(AdminClaims),
}

/// Why a principal may not act. A program that is not the caller's is reported as not found,
/// so that ids of other programs cannot be probed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    NotFound,
    MissingScope(Scope),
}

impl Principal {
    /// The program this caller belongs to, if any.
    pub fn program_id(&self) -> Option<&ProgramId> {
        match self {
            Principal::ApiKey(key) => Some(&key.program_id),
            Principal::Admin(claims) => claims.program_id.as_ref(),
        }
    }

    pub fn actor(&self) -> Actor {
        match self {
            Principal::ApiKey(key) => Actor::ApiKey {
                key_id: key.id.to_string(),
            },
            Principal::Admin(claims) => Actor::Admin {
                subject: claims.sub.clone(),
            },
        }
    }

    /// Allows acting on `program` with `scope`. Admins hold every scope of their program.
    pub fn authorize(&self, program: &ProgramId, scope: Scope) -> Result<(), Denied> {
        if self.program_id() != Some(program) {
            return Err(Denied::NotFound);
        }
        match self {
            Principal::ApiKey(key) if !key.allows(scope) => Err(Denied::MissingScope(scope)),
            _ => Ok(()),
        }
    }

    /// The caller's own program, checking the scope: for Dub-style routes without a program id.
    pub fn own_program(&self, scope: Scope) -> Result<ProgramId, Denied> {
        let program = self.program_id().cloned().ok_or(Denied::NotFound)?;
        self.authorize(&program, scope)?;
        Ok(program)
    }

    pub fn can_create_programs(&self) -> bool {
        matches!(self, Principal::Admin(claims) if claims.can_create_programs())
    }
}
