"""Application form definitions (申请表单定义) of the most common demo items, by item name."""

from tongban.catalog.data import demo_forms_business, demo_forms_people

FORMS = {**demo_forms_business.FORMS, **demo_forms_people.FORMS}
