"""The Data Food Consortium taxonomies and error type, below every domain.

``vocabulary`` (the one loader of the DFC taxonomy files in ``core/dfc/data``) and ``errors``
(``DfcError``) import neither Flask nor the app: products reads the categories and labels from
here, and ``interop`` (which re-exports both as ``interop.vocabulary`` and ``interop.errors``)
builds the DFC import/export on them.
"""
