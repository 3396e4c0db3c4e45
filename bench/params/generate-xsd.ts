/**
 * A polycomConfig.xsd of the real file's size and structure (UC 4.0.x: ~18,000 attributes, ~3.6 MB) for the
 * parameter benchmark: named simpleTypes (strings, ranges, enumerations, unions with ""), global attributes
 * documented on the first index only, indices expanded (reg.1-34, lineKey.1-48), then the element part
 * nested by dotted prefix, each element ending in anyAttribute skip. Deterministic.
 */

const TYPES: readonly [string, string][] = [
  [
    'String_0_256',
    '<xsd:restriction base="xsd:string">\n  <xsd:minLength value="0"/>\n  <xsd:maxLength value="256"/>\n</xsd:restriction>',
  ],
  [
    'String_0_64',
    '<xsd:restriction base="xsd:string">\n  <xsd:minLength value="0"/>\n  <xsd:maxLength value="64"/>\n</xsd:restriction>',
  ],
  [
    'StringPassword_0_49',
    '<xsd:restriction base="xsd:string">\n  <xsd:minLength value="0"/>\n  <xsd:maxLength value="49"/>\n</xsd:restriction>',
  ],
  [
    'UInt_0_65535',
    '<xsd:restriction base="xsd:nonNegativeInteger">\n  <xsd:minInclusive value="0"/>\n  <xsd:maxInclusive value="65535"/>\n</xsd:restriction>',
  ],
  [
    'SInt_neg_43200_46800',
    '<xsd:restriction base="xsd:integer">\n  <xsd:minInclusive value="-43200"/>\n  <xsd:maxInclusive value="46800"/>\n</xsd:restriction>',
  ],
  [
    'Enum_RegServerTransport',
    `<xsd:restriction base="xsd:string">\n${['UDPOnly', 'TCPpreferred', 'DNSnaptr', 'TCPOnly', 'TLS'].map((v) => `  <xsd:enumeration value="${v}"/>`).join('\n')}\n</xsd:restriction>`,
  ],
  [
    'UIntNull_0_23',
    '<xsd:union>\n  <xsd:simpleType>\n  <xsd:restriction base="xsd:string">\n    <xsd:enumeration value=""/>\n  </xsd:restriction>\n  </xsd:simpleType>\n  <xsd:simpleType>\n  <xsd:restriction base="xsd:nonNegativeInteger">\n    <xsd:minInclusive value="0"/>\n    <xsd:maxInclusive value="23"/>\n  </xsd:restriction>\n  </xsd:simpleType>\n</xsd:union>',
  ],
];
const DOC: Readonly<Record<string, string>> = {
  String_0_256: 'string min length 0 max length 256 default "".',
  String_0_64: 'string min length 0 max length 64 default "".',
  StringPassword_0_49:
    'string (password) min length 0 max length 49 default "".',
  UInt_0_65535: 'number min 0 max 65535 default 0.',
  SInt_neg_43200_46800: 'number min -43200 max 46800 default 0.',
  Enum_RegServerTransport:
    'enum allowed values: "UDPOnly" "TCPpreferred" "DNSnaptr" "TCPOnly" "TLS", default "DNSnaptr".',
  UIntNull_0_23: 'number min 0 max 23 default "".',
  'xsd:boolean': 'true/false parameter default 0 (false).',
};
const TYPE_NAMES = [...TYPES.map(([n]) => n), 'xsd:boolean'];

/** name pattern (N = index) → type; the names the 10,000-phone benchmark file sets come first. */
function families(): { pattern: string; type: string; count: number }[] {
  const out = [
    { pattern: 'reg.N.address', type: 'String_0_256', count: 34 },
    { pattern: 'reg.N.auth.userId', type: 'String_0_256', count: 34 },
    { pattern: 'reg.N.auth.password', type: 'StringPassword_0_49', count: 34 },
    { pattern: 'reg.N.displayName', type: 'String_0_64', count: 34 },
    { pattern: 'reg.N.server.1.address', type: 'String_0_256', count: 34 },
    {
      pattern: 'reg.N.server.1.transport',
      type: 'Enum_RegServerTransport',
      count: 34,
    },
    { pattern: 'lineKey.N.category', type: 'String_0_64', count: 48 },
    { pattern: 'lineKey.N.index', type: 'UInt_0_65535', count: 48 },
    { pattern: 'device.set', type: 'xsd:boolean', count: 0 },
    { pattern: 'tcpIpApp.sntp.address', type: 'String_0_256', count: 0 },
    {
      pattern: 'tcpIpApp.sntp.gmtOffset',
      type: 'SInt_neg_43200_46800',
      count: 0,
    },
    { pattern: 'device.syslog.facility', type: 'UIntNull_0_23', count: 0 },
  ];
  // Fill to the real file's shape: ~470 indexed families and ~1,850 plain names in 40 top-level groups.
  for (let i = 0; out.length < 2345; i++) {
    const group = `group${i % 40}`;
    const indexed = i % 5 === 0;
    out.push({
      pattern: indexed
        ? `${group}.N.featureSettingOption${i}.value`
        : `${group}.section${i % 7}.parameter${i}.value`,
      type: TYPE_NAMES[i % TYPE_NAMES.length]!,
      count: indexed ? 34 : 0,
    });
  }
  return out;
}

export function generateXsd(): string {
  const lines = [
    '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xml:lang="en">',
  ];
  for (const [name, body] of TYPES)
    lines.push(`<xsd:simpleType name="${name}">`, body, '</xsd:simpleType>');
  const names = new Map<string, [string, string][]>(); // element (dotted prefix) → [attribute name, type]
  for (const f of families()) {
    const all =
      f.count === 0
        ? [f.pattern]
        : Array.from({ length: f.count }, (_, k) =>
            f.pattern.replace('N', String(k + 1)),
          );
    all.forEach((n, k) => {
      if (k === 0)
        lines.push(
          `<xsd:attribute name="${n}" type="${f.type}">`,
          `  <xsd:annotation><xsd:documentation>${DOC[f.type]}</xsd:documentation></xsd:annotation>`,
          '</xsd:attribute>',
        );
      else lines.push(`  <xsd:attribute name="${n}" type="${f.type}"/>`);
      const element =
        f.pattern
          .split('.')
          .filter((s) => s !== 'N' && !/^\d+$/.test(s))
          .slice(0, -1)
          .slice(0, 2)
          .join('.') || f.pattern.split('.')[0]!;
      names.set(element, [...(names.get(element) ?? []), [n, f.type]]);
    });
  }
  lines.push(
    '<xsd:element name="polycomConfig"><xsd:complexType>',
    '  <xsd:sequence><xsd:choice minOccurs="0" maxOccurs="unbounded">',
  );
  for (const [element, attrs] of [...names].sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    lines.push(`  <xsd:element name="${element}"><xsd:complexType>`);
    // As in the real file, the element part repeats the documentation on each family's first reference.
    for (const [k, [a, type]] of attrs.entries()) {
      lines.push(
        k === 0 || !/\.\d+\./.test(a) || /\.1\./.test(a)
          ? `    <xsd:attribute ref="${a}">\n      <xsd:annotation><xsd:documentation>${DOC[type]}</xsd:documentation></xsd:annotation>\n    </xsd:attribute>`
          : `      <xsd:attribute ref="${a}"/>`,
      );
    }
    lines.push(
      '    <xsd:anyAttribute processContents="skip"/>',
      '  </xsd:complexType></xsd:element>',
    );
  }
  lines.push(
    '  </xsd:choice></xsd:sequence>',
    '</xsd:complexType></xsd:element>',
    '</xsd:schema>',
    '',
  );
  return lines.join('\n');
}
