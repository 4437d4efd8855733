"""What the assistant's guards tell a partner, in French and English.

The channels (a password typed in the chat, an empty or too long message, too many messages), the ticket
actions (markup in a field, too long a description, too many requests) and the widget's file upload send these
as plain text: they are not model responses, so they live here rather than in domain.yml.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "secret_shared": {
        "fr": (
            "Pour votre sécurité, ne communiquez jamais un mot de passe ou un code de vérification, même au "
            "service d'aide. Je l'ai masqué et je ne le conserve pas."
        ),
        "en": (
            "For your security, never share a password or a verification code, not even with the help desk. "
            "I have hidden it and will not keep it."
        ),
    },
    "empty_message": {
        "fr": "Votre message est vide. Écrivez votre question et je vous répondrai.",
        "en": "Your message is empty. Type your question and I will answer it.",
    },
    "message_too_long": {
        "fr": (
            "Votre message est trop long pour moi ({length} caractères ; {limit} au plus). "
            "Pouvez-vous le raccourcir, ou l'envoyer en plusieurs messages ?"
        ),
        "en": (
            "Your message is too long for me ({length} characters; {limit} at most). "
            "Could you shorten it, or send it in several messages?"
        ),
    },
    "too_many_messages": {
        "fr": (
            "Vous envoyez beaucoup de messages en peu de temps. "
            "Patientez environ {seconds} secondes, puis écrivez-moi à nouveau."
        ),
        "en": "You are sending many messages in a short time. Please wait about {seconds} seconds, then write again.",
    },
    "too_many_tickets": {
        "fr": (
            "Vous avez déjà envoyé plusieurs demandes au service d'aide au cours de la dernière heure : "
            "celle-ci n'a pas été transmise. L'équipe traite vos demandes précédentes ; "
            "réessayez « Envoyer » plus tard si besoin."
        ),
        "en": (
            "You have already sent several requests to the help desk in the last hour, so this one was not sent. "
            'The team is handling your earlier requests; try "Send" again later if you still need to.'
        ),
    },
    "markup_in_field": {
        "fr": "Écrivez sans code HTML (rien entre « < » et « > »), s'il vous plaît.",
        "en": 'Please write without HTML code (nothing between "<" and ">").',
    },
    "description_too_long": {
        "fr": "Cette description est trop longue ({limit} caractères au plus). Pouvez-vous la résumer ?",
        "en": "This description is too long ({limit} characters at most). Could you summarise it?",
    },
    # The action server could not handle the message (bot/rasa_server/outage.py): nothing of it was kept.
    "action_server_unavailable": {
        "fr": (
            "Désolé, un problème technique de notre côté m'a empêché de traiter votre dernier message. "
            "Ce que vous m'aviez déjà indiqué est conservé : renvoyez ce dernier message dans un instant."
        ),
        "en": (
            "Sorry, a technical problem on our side stopped me from handling your last message. "
            "What you told me before is kept: please send that last message again in a moment."
        ),
    },
    # A screenshot or PDF sent from the widget (bot/tickets/chat_files.py, bot/console/public/chat_files.py).
    "file_kept": {
        "fr": "Fichier reçu : {filename}. Il sera joint à votre demande d'assistance, et seule l'équipe le verra.",
        "en": "File received: {filename}. It will be attached to your support request, and only the team will see it.",
    },
    "file_joined": {
        "fr": "Fichier reçu : {filename}. Il est joint à votre demande {reference}, et seule l'équipe le verra.",
        "en": "File received: {filename}. It is attached to your request {reference}, and only the team will see it.",
    },
    "file_too_big": {
        "fr": "Ce fichier est trop lourd ({size} Mo ; {limit} Mo au plus). Envoyez une capture plus petite.",
        "en": "This file is too large ({size} MB; {limit} MB at most). Please send a smaller screenshot.",
    },
    "file_wrong_type": {
        "fr": "Je ne peux accepter que des captures d'écran (PNG, JPEG, GIF, WebP) ou des PDF.",
        "en": "I can only accept screenshots (PNG, JPEG, GIF, WebP) or PDF files.",
    },
    "file_limited": {
        "fr": (
            "Vous avez envoyé beaucoup de fichiers. Décrivez le problème par écrit : l'équipe vous en demandera "
            "d'autres si besoin."
        ),
        "en": "You have sent many files. Please describe the problem in words; the team will ask for more if needed.",
    },
    "file_failed": {
        "fr": "Le fichier n'a pas pu être envoyé. Réessayez dans un instant.",
        "en": "The file could not be sent. Please try again in a moment.",
    },
}


def limits_message(key: str, language: str, **values: object) -> str:
    """The message `key` in `language` (English when the language is neither fr nor en), filled with `values`."""
    texts = MESSAGES[key]
    return texts.get(language, texts["en"]).format(**values)
