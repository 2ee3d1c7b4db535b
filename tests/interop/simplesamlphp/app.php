<?php
// The application behind a SimpleSAMLphp SP: /app.php?as=SP[&login|&logout]
require_once '/usr/share/simplesamlphp/lib/_autoload.php';

function page(string $title, array $rows = []): void
{
    echo '<!doctype html><title>' . htmlspecialchars($title) . '</title><h1>' . htmlspecialchars($title) . '</h1><table>';
    foreach ($rows as $name => $value) {
        echo '<tr><th>' . htmlspecialchars($name) . '</th><td>' . htmlspecialchars($value) . '</td></tr>';
    }
    echo '</table>';
    exit;
}

$source = $_GET['as'];
$as = new \SimpleSAML\Auth\Simple($source);
$self = \SimpleSAML\Utils\HTTP::getBaseURL() . '../app.php?as=' . urlencode($source);
$self = rtrim(\SimpleSAML\Configuration::getInstance()->getString('baseurlpath'), '/') . '/app.php?as=' . urlencode($source);
if (isset($_GET['login'])) {
    $as->requireAuth(['ReturnTo' => $self]);
}
if (isset($_GET['logout'])) {
    $as->logout(['ReturnTo' => $self . '&done', 'ReturnStateParam' => 'state', 'ReturnStateStage' => 'done']);
}
if (isset($_GET['done'])) {
    $state = \SimpleSAML\Auth\State::loadState((string) $_GET['state'], 'done');
    $ok = isset($state['saml:sp:LogoutStatus']) && $state['saml:sp:LogoutStatus']['Code'] === 'urn:oasis:names:tc:SAML:2.0:status:Success';
    page($ok ? 'logged out' : 'logout failed: ' . json_encode($state['saml:sp:LogoutStatus'] ?? null));
}
if (!$as->isAuthenticated()) {
    page('anonymous');
}
$rows = ['NameID' => $as->getAuthData('saml:sp:NameID')->getValue()];
foreach ($as->getAttributes() as $name => $values) {
    $rows[$name] = implode(' ', $values);
}
page('signed in', $rows);
