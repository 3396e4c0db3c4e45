/** sipp scenarios of a phone that receives check-sync NOTIFYs, shared by the notify test and benchmark. */

/** The 200 OK a sipp UAS sends back for the request it just received (echoing Via, From, To, Call-ID, CSeq). */
export const SIPP_200_OK = `<send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>`;

/** A UAS that receives a NOTIFY (optionally with an action) and answers 200 OK, then does `after`. */
export function answeringPhone(
  name: string,
  recv = '<recv request="NOTIFY"/>',
  after = '',
): string {
  return `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="${name}">
  ${recv}
  ${SIPP_200_OK}
${after}</scenario>
`;
}
