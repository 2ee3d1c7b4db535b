<?php
// SimpleSAMLphp as the broker's upstream IdP (only when stack.json says "idp"): it signs the
// Response and the assertion, and encrypts the assertion with AES-256-GCM when asked to.
$stack = json_decode(file_get_contents(getenv('SIMPLESAMLPHP_CONFIG_DIR') . '/stack.json'), true);
if ($stack['idp']) {
    $metadata['__DYNAMIC:1__'] = [
        'host' => '__DEFAULT__',
        'privatekey' => $stack['idp_key'],
        'certificate' => $stack['idp_cert'],
        'auth' => 'users',
        'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        'saml20.sign.response' => true,
        'saml20.sign.assertion' => true,
        'sign.logout' => true,
        'assertion.encryption' => $stack['idp_encrypts'],
        'sharedkey_algorithm' => 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
        'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
    ];
}
