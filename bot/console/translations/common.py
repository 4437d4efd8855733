"""French texts shared by every console page (layout, login, errors, accounts), keyed by their English text."""

FR: dict[str, str] = {
    "Partner helpdesk": "Service d'aide aux partenaires",
    "Console": "Console",
    "Tickets": "Demandes",
    "Knowledge base": "Base de connaissances",
    "Users": "Utilisateurs",
    "Log in": "Se connecter",
    "Log out": "Se déconnecter",
    "Staff console": "Console du service d'aide",
    "E-mail": "E-mail",
    "Password": "Mot de passe",
    "Wrong e-mail or password.": "E-mail ou mot de passe incorrect.",
    "Too many failed logins. Try again in {seconds} seconds.": (
        "Trop d'échecs de connexion. Réessayez dans {seconds} secondes."
    ),
    "This form has expired or did not come from this site. Please try again.": (
        "Ce formulaire a expiré ou ne vient pas de ce site. Veuillez réessayer."
    ),
    "Form refused": "Formulaire refusé",
    "Not allowed": "Accès refusé",
    "This page is for admins only.": "Cette page est réservée aux administrateurs.",
    "Not found": "Introuvable",
    "There is nothing at this address.": "Il n'y a rien à cette adresse.",
    "Back to the tickets": "Retour aux demandes",
    "Saved.": "Enregistré.",
    "Not saved: {reason}": "Non enregistré : {reason}",
    "staff": "équipe d'assistance",
    "admin": "administrateur",
    "Role": "Rôle",
    "Active": "Actif",
    "Change": "Modifier",
    "Save": "Enregistrer",
    "Create": "Créer",
    "yes": "oui",
    "no": "non",
    "(you)": "(vous)",
    "New account": "Nouveau compte",
    "Password (at least 8 characters)": "Mot de passe (8 caractères au moins)",
    "Account {email} created.": "Compte {email} créé.",
    "You cannot change your own account here: ask another admin.": (
        "Vous ne pouvez pas modifier votre propre compte ici : demandez à un autre administrateur."
    ),
    "API tokens": "Jetons d'API",
    "New API token": "Nouveau jeton d'API",
    "Copy it now: it is shown only once.": "Copiez-le maintenant : il n'est affiché qu'une fois.",
    "A token acts as the account it is issued for, in the JSON API (/api/v1).": (
        "Un jeton agit au nom du compte pour lequel il est émis, dans l'API JSON (/api/v1)."
    ),
    "Where it is used": "Où il sert",
    "Account": "Compte",
    "Issue a token": "Émettre un jeton",
    "Revoke": "Révoquer",
    "Token revoked.": "Jeton révoqué.",
    "revoked": "révoqué",
    "last used": "dernier usage",
    "created": "créé",
    "English": "Anglais",
    "French": "Français",
}
