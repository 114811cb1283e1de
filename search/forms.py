from django import forms


class SearchForm(forms.Form):
    """What the search page and the completion endpoint read from the URL.

    Django's CharField refuses NUL characters, which PostgreSQL text cannot
    hold; the query language (search.query) judges the rest.
    """

    q = forms.CharField(required=False, strip=True)
    f = forms.CharField(required=False)

    def query_text(self) -> tuple[str, str | None]:
        """The query and, when it is unusable, the message to show instead."""
        if not self.is_valid():
            return "", " ".join(self.errors["q"]) if "q" in self.errors else "This search is not valid."
        return self.cleaned_data["q"], None
