// The name grammars of Kubernetes (apimachinery util/validation): RFC 1123 labels and
// subdomains, qualified names (label and annotation keys, finalizers) and label values.
// Each check returns the list of problems; the texts are those the real server answers
// (clients and people grep for them), so they are kept word for word as compatibility data.

export const dns1123LabelMax = 63
export const dns1123SubdomainMax = 253
export const qualifiedNameMax = 63
export const labelValueMax = 63

const labelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const subdomainFmt = `${labelFmt}(\\.${labelFmt})*`
const qnameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'
const labelValueFmt = `(${qnameFmt})?`

const labelRe = new RegExp(`^${labelFmt}$`)
const subdomainRe = new RegExp(`^${subdomainFmt}$`)
const qnameRe = new RegExp(`^${qnameFmt}$`)
const labelValueRe = new RegExp(`^${labelValueFmt}$`)

function tooLong(max: number): string {
  return `must be no more than ${max} characters`
}

function regexDetail(what: string, examples: string[], fmt: string): string {
  const ex = examples.map((e) => `'${e}'`).join(',  or ')
  return `${what} (e.g. ${ex}, regex used for validation is '${fmt}')`
}

export function isDns1123Label(value: string): string[] {
  const errs: string[] = []
  if (value.length > dns1123LabelMax) errs.push(tooLong(dns1123LabelMax))
  if (!labelRe.test(value)) {
    errs.push(
      regexDetail(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        ['my-name', '123-abc'],
        labelFmt,
      ),
    )
  }
  return errs
}

const dns1035Fmt = '[a-z]([-a-z0-9]*[a-z0-9])?'
const dns1035Re = new RegExp(`^${dns1035Fmt}$`)

/** Service names: a DNS-1123 label that starts with a letter. */
export function isDns1035Label(value: string): string[] {
  const errs: string[] = []
  if (value.length > dns1123LabelMax) errs.push(tooLong(dns1123LabelMax))
  if (!dns1035Re.test(value)) {
    errs.push(
      regexDetail(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        ['my-name', 'abc-123'],
        dns1035Fmt,
      ),
    )
  }
  return errs
}

export function isDns1123Subdomain(value: string): string[] {
  const errs: string[] = []
  if (value.length > dns1123SubdomainMax) errs.push(tooLong(dns1123SubdomainMax))
  if (!subdomainRe.test(value)) {
    errs.push(
      regexDetail(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        ['example.com'],
        subdomainFmt,
      ),
    )
  }
  return errs
}

/** Names used as a URL path segment: anything but '.', '..', '/' and '%'. */
export function isPathSegmentName(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`]
  const errs: string[] = []
  for (const bad of ['/', '%']) if (value.includes(bad)) errs.push(`may not contain '${bad}'`)
  return errs
}

/** Label and annotation keys, finalizer names: `[prefix/]name`. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/')
  let name = value
  const errs: string[] = []
  if (parts.length === 2) {
    const [prefix = '', rest = ''] = parts
    name = rest
    if (prefix.length === 0) errs.push('prefix part must be non-empty')
    else for (const e of isDns1123Subdomain(prefix)) errs.push(`prefix part ${e}`)
  } else if (parts.length > 2) {
    return [
      regexDetail(
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ['MyName', 'my.name', '123-abc'],
        qnameFmt,
      ) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]
  }
  if (name.length === 0) errs.push('name part must be non-empty')
  else if (name.length > qualifiedNameMax) errs.push(`name part ${tooLong(qualifiedNameMax)}`)
  if (name.length > 0 && !qnameRe.test(name)) {
    errs.push(
      `name part ${regexDetail(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ['MyName', 'my.name', '123-abc'],
        qnameFmt,
      )}`,
    )
  }
  return errs
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = []
  if (value.length > labelValueMax) errs.push(tooLong(labelValueMax))
  if (!labelValueRe.test(value)) {
    errs.push(
      regexDetail(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        ['MyValue', 'my_value', '12345'],
        labelValueFmt,
      ),
    )
  }
  return errs
}
