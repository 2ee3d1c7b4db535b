<?php
// Two SPs (plain and encrypted assertion) and, for the upstream role, a test user store.
$stack = json_decode(file_get_contents(__DIR__ . '/stack.json'), true);
$config = ['admin' => ['core:AdminPassword']];
foreach ($stack['sps'] as $name => $sp) {
    $config[$name] = [
        'saml:SP',
        'entityID' => $sp['entity_id'],
        'idp' => $stack['broker_idp'],
        'privatekey' => $sp['key'],
        'certificate' => $sp['cert'],
        'sign.authnrequest' => true,
        'sign.logout' => true,
        'redirect.sign' => true,
        'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        'assertion.encryption' => $sp['encrypted'],
        'WantAssertionsSigned' => true,
        'NameIDPolicy' => ['Format' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent', 'AllowCreate' => true],
    ];
}
if ($stack['idp']) {
    $users = [];
    foreach ($stack['users'] as $user) {
        $users[$user['number'] . ':' . $user['number']] = [
            'urn:be:fgov:person:ssin' => [$user['number']],
            'urn:oid:2.5.4.42' => [$user['given_name']],
            'urn:oid:2.5.4.4' => [$user['family_name']],
        ];
    }
    $config['users'] = array_merge(['exampleauth:UserPass'], $users);
}
