"""Single sign-on: the platform as the OIDC provider of department systems
(django-oauth-toolkit), and as an OIDC client of the provincial identity platform
(``federation``). docs/sso.md says how a department system signs people in."""
