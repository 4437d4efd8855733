"""French texts of the console's knowledge pages, keyed by their English text."""

FR: dict[str, str] = {
    # Article list
    "Knowledge base": "Base de connaissances",
    "Articles": "Articles",
    "{count} articles": "{count} articles",
    "Answer text is live as soon as it is saved; changed example questions reach the bot after Publish.": (
        "Le texte d'une réponse est en ligne dès son enregistrement ; les questions d'exemple modifiées "
        "ne sont prises en compte par le bot qu'après « Publier »."
    ),
    "These files cannot be read as articles:": "Ces fichiers ne peuvent pas être lus comme des articles :",
    "Id": "Identifiant",
    "French title": "Titre en français",
    "English title": "Titre en anglais",
    "Helpful: yes": "Utile : oui",
    "Helpful: no": "Utile : non",
    "Answers given": "Réponses données",
    "No articles yet.": "Aucun article pour l'instant.",
    # Edit and new article
    "New article": "Nouvel article",
    "Article": "Article",
    "The article was not saved. Fix these problems and save again:": (
        "L'article n'a pas été enregistré. Corrigez ces problèmes et enregistrez de nouveau :"
    ),
    "kebab-case, e.g. reset-two-factor; it becomes the file name and cannot be changed later": (
        "en minuscules avec des tirets, par exemple reset-two-factor ; il devient le nom du fichier "
        "et ne pourra plus être changé"
    ),
    "Source guide": "Guide source",
    "Source section": "Section du guide",
    "Related articles": "Articles liés",
    "ids separated by commas": "identifiants séparés par des virgules",
    "Ticket issue type": "Type de demande d'assistance",
    "offered when the fix is a support request": "proposé quand la solution passe par une demande d'assistance",
    "None: the answer is enough": "Aucun : la réponse suffit",
    "French": "Français",
    "English": "Anglais",
    "Title": "Titre",
    "Answer": "Réponse",
    "live as soon as it is saved": "en ligne dès l'enregistrement",
    "Example questions": "Questions d'exemple",
    "one per line; the bot learns them at the next Publish": (
        "une par ligne ; le bot les apprend à la prochaine publication"
    ),
    "Create the article": "Créer l'article",
    "Save": "Enregistrer",
    "Saved. The answer text is live at once; changed example questions need Publish to reach the bot.": (
        "Enregistré. Le texte de la réponse est en ligne immédiatement ; les questions d'exemple modifiées "
        "demandent « Publier » pour être prises en compte par le bot."
    ),
    "You changed example questions: publish when you have finished editing.": (
        "Vous avez modifié des questions d'exemple : publiez quand vous aurez fini vos modifications."
    ),
    # Unanswered questions
    "Unanswered questions": "Questions sans réponse",
    "Questions the bot could not answer": "Questions auxquelles le bot n'a pas su répondre",
    "Order": "Ordre",
    "Newest first": "Les plus récentes d'abord",
    "Most frequent first": "Les plus fréquentes d'abord",
    "Show the questions already added as examples too": "Afficher aussi les questions déjà ajoutées comme exemples",
    "Hide the questions already added as examples": "Masquer les questions déjà ajoutées comme exemples",
    "Question": "Question",
    "Lang.": "Langue",
    "Times asked": "Nombre de fois",
    "Last asked (UTC)": "Dernière fois (UTC)",
    "Asked (UTC)": "Posée le (UTC)",
    "Partner chose": "Choix du partenaire",
    "Actions": "Actions",
    "Example of {id}": "Exemple de {id}",
    "Add as example": "Ajouter comme exemple",
    "New article from it": "En faire un nouvel article",
    "No unanswered questions.": "Aucune question sans réponse.",
    "There is no article {id}.": "L'article {id} n'existe pas.",
    "Not added to {id}:": "Non ajoutée à {id} :",
    "Added as an example of {id}. The bot recognises it after Publish.": (
        "Ajoutée comme exemple de {id}. Le bot la reconnaîtra après « Publier »."
    ),
    # Publish
    "Publish": "Publier",
    "Publish the knowledge base": "Publier la base de connaissances",
    "Answer texts are live as soon as they are saved. Publish retrains the model so that the bot recognises new "
    "or changed example questions, then switches the running bot to it. Training takes about half a minute; the bot "
    "keeps answering meanwhile.": (
        "Les textes des réponses sont en ligne dès leur enregistrement. « Publier » réentraîne le modèle pour que "
        "le bot reconnaisse les questions d'exemple nouvelles ou modifiées, puis fait passer le bot en service "
        "sur ce modèle. L'entraînement prend environ une demi-minute ; le bot continue de répondre pendant ce temps."
    ),
    "State:": "État :",
    "Publish now": "Publier maintenant",
    "Publication started.": "Publication lancée.",
    "A publication is already running: wait for it to finish.": (
        "Une publication est déjà en cours : attendez qu'elle se termine."
    ),
    "Not published since the console started": "Aucune publication depuis le démarrage de la console",
    "Checking the knowledge base": "Vérification de la base de connaissances",
    "Building the training data": "Préparation des données d'entraînement",
    "Training the model": "Entraînement du modèle",
    "Loading the new model into the running Rasa server": (
        "Chargement du nouveau modèle dans le serveur Rasa en service"
    ),
    "Done: the bot answers with the new model": "Terminé : le bot répond avec le nouveau modèle",
    "Failed": "Échec",
    "{minutes} min {seconds} s": "{minutes} min {seconds} s",
    "{seconds} s": "{seconds} s",
    "The Rasa server at {url} is not reachable; it will load the new model at its next start.": (
        "Le serveur Rasa ({url}) est injoignable ; il chargera le nouveau modèle à son prochain démarrage."
    ),
    "The knowledge base has {count} problem(s).": "La base de connaissances a {count} problème(s).",
    "Training failed (exit code {code}).": "L'entraînement a échoué (code de sortie {code}).",
    "The Rasa server refused the model: {error}": "Le serveur Rasa a refusé le modèle : {error}",
    "Unexpected error: {error}": "Erreur inattendue : {error}",
}
